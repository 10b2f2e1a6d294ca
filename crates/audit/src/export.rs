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
    /// The segments checked and those the log does not list, if there
    /// is a recording.
    pub segments: Option<(u32, u32)>,
}

/// Checks a record read from disk: its log, then its screen recording.
pub fn check(bytes: &RecordBytes) -> Checked {
    let mut report = verify_log(&bytes.log);
    let segments = bytes.screen.as_deref().map(|recording| {
        let check = verify_recording(&mut report, recording);
        (check.segments, check.unlisted)
    });
    Checked {
        report,
        screen: screen_words(segments, Lang::En),
        segments,
    }
}

impl Checked {
    /// The verdict on the record and its screen recording, in `lang`.
    pub fn verdict_in(&self, lang: Lang) -> String {
        self.report.verdict_in(lang) + &screen_words(self.segments, lang)
    }
}

/// What the screen recording adds to a verdict, in `lang`.
fn screen_words(segments: Option<(u32, u32)>, lang: Lang) -> String {
    match (segments, lang) {
        (Some((n, 0)), Lang::En) => format!("; screen: {n} segments"),
        (Some((n, 0)), Lang::Fr) => format!(" ; écran : {n} segments"),
        (Some((n, more)), Lang::En) => format!("; screen: {n} segments, {more} more not signed"),
        (Some((n, more)), Lang::Fr) => {
            format!(" ; écran : {n} segments, {more} autres non signés")
        }
        (None, Lang::En) => "; no screen recording".into(),
        (None, Lang::Fr) => " ; pas d'enregistrement de l'écran".into(),
    }
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
    let checked = check(record);
    let mut verdict = checked.verdict_in(lang);
    let report = checked.report;
    let mut valid = report.whole();
    if let Some(other) = other {
        let peer = check(other).report;
        valid &= peer.whole();
        let peer_verdict = peer.verdict_in(lang);
        match (cross_check(&report, &peer), lang) {
            (Ok(_), Lang::En) => verdict.push_str(&format!(
                "; the other end's record: {peer_verdict}; both agree"
            )),
            (Ok(_), Lang::Fr) => verdict.push_str(&format!(
                " ; l'enregistrement de l'autre côté : {peer_verdict} ; les deux concordent"
            )),
            (Err(why), lang) => {
                valid = false;
                verdict.push_str(&match lang {
                    Lang::En => format!("; the two ends DISAGREE: {why}"),
                    Lang::Fr => format!(" ; les deux côtés NE CONCORDENT PAS : {why}"),
                });
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
