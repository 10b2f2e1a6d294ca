//! A record on disk as the HTML page for people (`report_html`), with
//! everything it needs worked out: the verdict on the record, its screen
//! recording and, given, the other end's; and the screen replayed at the
//! key moments, shrunk to pictures. Both the auditor's `export` and the
//! person's `tessera-agent sessions` use it.

use crate::files::RecordBytes;
use crate::recording::scan;
use crate::replay::moment_at;
use crate::report_html::{key_moments, render, Export, Lang, Picture};
use crate::verify::cross::cross_check;
use crate::verify::screen::verify_recording;
use crate::verify::{verify_log, Report};
use tessera_screen::Frame;

/// Widest picture in a report.
pub const PICTURE_WIDTH: u32 = 320;

/// A record checked: its report and what its screen recording added.
pub struct Checked {
    /// The log's report, with the recording's fault if any.
    pub report: Report,
    /// `; screen: N segments`, or that there is no recording.
    pub screen: String,
}

/// Checks a record read from disk: its log, then its screen recording.
pub fn check(bytes: &RecordBytes) -> Checked {
    let mut report = verify_log(&bytes.log);
    let screen = match &bytes.screen {
        Some(recording) => {
            let check = verify_recording(&mut report, recording);
            match check.unlisted {
                0 => format!("; screen: {} segments", check.segments),
                n => format!("; screen: {} segments, {n} more not signed", check.segments),
            }
        }
        None => "; no screen recording".into(),
    };
    Checked { report, screen }
}

/// The page made.
pub struct Page {
    /// The HTML.
    pub html: String,
    /// Whether everything checked out.
    pub valid: bool,
    /// How many pictures of the screen it shows.
    pub pictures: usize,
}

/// The page for `record` (and the other end's, to check it against).
pub fn page(record: &RecordBytes, other: Option<&RecordBytes>, lang: Lang) -> Page {
    let Checked { report, screen } = check(record);
    let mut verdict = format!("{}{screen}", report.verdict());
    let mut valid = report.whole();
    if let Some(other) = other {
        let peer = check(other).report;
        valid &= peer.whole();
        match cross_check(&report, &peer) {
            Ok(_) => verdict.push_str(&format!(
                "; the other end's record: {}; both agree",
                peer.verdict()
            )),
            Err(why) => {
                valid = false;
                verdict.push_str(&format!("; the two ends DISAGREE: {why}"));
            }
        }
    }
    let mut pictures = Vec::new();
    if let Some(recording) = record.screen.as_deref().filter(|_| report.fault.is_none()) {
        if let Ok(scanned) = scan(recording) {
            for (at_us, caption) in key_moments(&report, lang) {
                let moment = moment_at(recording, &scanned, at_us);
                if let Some(png) = moment
                    .ok()
                    .and_then(|m| m.frame)
                    .as_ref()
                    .and_then(picture_png)
                {
                    pictures.push(Picture {
                        at_us,
                        caption,
                        png,
                    });
                }
            }
        }
    }
    let html = render(&Export {
        report: &report,
        verdict: &verdict,
        valid,
        pictures: &pictures,
        lang,
    });
    Page {
        html,
        valid,
        pictures: pictures.len(),
    }
}

/// `frame` shrunk to at most [`PICTURE_WIDTH`] wide (every n-th pixel:
/// enough to recognise a screen), as a PNG.
pub fn picture_png(frame: &Frame) -> Option<Vec<u8>> {
    let step = frame.width().div_ceil(PICTURE_WIDTH).max(1);
    let (width, height) = (frame.width() / step, frame.height() / step);
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let at = (y * step) as usize * frame.stride() + (x * step) as usize * 4;
            let px = frame.pixels().get(at..at + 4)?;
            rgb.extend_from_slice(&[px[2], px[1], px[0]]);
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&rgb).ok()?;
    writer.finish().ok()?;
    Some(png)
}
