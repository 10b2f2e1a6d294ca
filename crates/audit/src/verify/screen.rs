//! The screen recording checked against its log: every segment the log
//! lists must be in the file, byte for byte as hashed. Segments after
//! the last one listed (written in the second a crash cut) are only
//! counted: nothing signed vouches for them.

use super::{fault, Place, Report};
use crate::record::Fact;
use crate::recording::{scan, sha256};

/// What the recording adds to a report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScreenCheck {
    /// Segments listed in the log and found intact.
    pub segments: u32,
    /// Segments in the file the log does not list (an unsigned tail).
    pub unlisted: u32,
}

/// Checks `recording` (the `screen.tsr` bytes) against the segments
/// `report`'s log lists; a fault goes into the report.
pub fn verify_recording(report: &mut Report, recording: &[u8]) -> ScreenCheck {
    let mut check = ScreenCheck::default();
    let listed: Vec<_> = report
        .leaves
        .iter()
        .filter_map(|leaf| match &leaf.fact {
            Fact::ScreenSegment {
                i,
                offset,
                len,
                sha256,
                ..
            } => Some((*i, *offset, *len, sha256.0)),
            _ => None,
        })
        .collect();
    let scanned = match scan(recording) {
        Ok(scanned) => scanned,
        Err(e) => {
            if report.fault.is_none() {
                report.fault = Some(fault(Place::Segment(0), e.to_string()));
            }
            return check;
        }
    };
    if scanned.origin != report.origin && report.fault.is_none() {
        report.fault = Some(fault(
            Place::Segment(0),
            format!("the recording is of another log ({})", scanned.origin),
        ));
        return check;
    }
    for (number, (i, offset, len, hash)) in listed.into_iter().enumerate() {
        let bytes = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(len).ok())
            .and_then(|(start, len)| recording.get(start..start.checked_add(len)?));
        let why = match bytes {
            _ if u64::from(i) != number as u64 => Some("listed out of order"),
            None => Some("missing from the recording (cut or removed)"),
            Some(bytes) if sha256(bytes) != hash => Some("replaced or changed"),
            Some(_) => None,
        };
        if let Some(why) = why {
            if report.fault.is_none() {
                report.fault = Some(fault(Place::Segment(i), why));
            }
            return check;
        }
        check.segments += 1;
    }
    check.unlisted = (scanned.segments.len() as u32).saturating_sub(check.segments);
    check
}
