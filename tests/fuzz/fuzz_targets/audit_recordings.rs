//! Arbitrary bytes as a session's screen recording (`screen.tsr`): the
//! scan that finds its segments after a crash, each segment's messages,
//! and a replay at every segment's start and at the end. Seeds are real
//! recordings of encoded pictures (clean, cut mid-segment, without an
//! index), so mutations start inside the segment, message and picture
//! decoders.
//!
//! What holds: a scan's segments are whole, in order and back to back
//! from the header; each one's messages read or are refused; a replay
//! never panics, and a picture it gives is of a size the decoder allows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_audit::recording::{messages, scan, sha256};
use tessera_audit::replay::moment_at;

fuzz_target!(|data: &[u8]| {
    let Ok(scanned) = scan(data) else {
        return;
    };
    let mut next = None;
    for (n, segment) in scanned.segments.iter().enumerate() {
        assert_eq!(segment.i as usize, n, "segments out of order");
        if let Some(expected) = next {
            assert_eq!(segment.offset, expected, "a gap between segments");
        }
        next = Some(segment.offset + segment.len);
        let start = usize::try_from(segment.offset).expect("an offset in the file");
        let end = start + usize::try_from(segment.len).expect("a length");
        let bytes = &data[start..end];
        assert_eq!(sha256(bytes), segment.sha256);
        if let Ok(read) = messages(bytes) {
            assert!(read.iter().all(|m| m.bytes.len() < bytes.len()));
        }
    }
    if let Some(at) = scanned.torn_at {
        assert!(!scanned.closed);
        assert_eq!(Some(at), next.or(Some(at)));
    }
    let moments = scanned
        .segments
        .iter()
        .map(|s| s.first_us)
        .chain([u64::MAX])
        .take(8);
    for at in moments {
        if let Ok(moment) = moment_at(data, &scanned, at) {
            if let Some(frame) = moment.frame {
                assert!(frame.width() <= tessera_screen::MAX_SIDE);
                assert!(frame.height() <= tessera_screen::MAX_SIDE);
            }
        }
    }
});
