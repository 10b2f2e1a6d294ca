//! The screen recording: segments read back as written, a crash at any
//! byte leaves whole segments before it, and against its log a replaced
//! or missing segment is named.

use ring::signature::{Ed25519KeyPair, KeyPair};
use tessera_audit::log::Log;
use tessera_audit::record::{origin, Certification, Certifier, Fact, Side, TypedText, FORMAT};
use tessera_audit::recording::{messages, scan, Kind, Recorder};
use tessera_audit::verify::screen::verify_recording;
use tessera_audit::verify::{verify_log, Place};
use tessera_audit::wire::{Base64, Hex};

/// A message whose bytes say when and what it was.
fn message(second: u64, n: u64) -> Vec<u8> {
    format!("update {second}.{n} ")
        .repeat(1 + n as usize)
        .into_bytes()
}

/// A log and its recording over three seconds of updates, the first of
/// each second but the second a keyframe.
fn recorded() -> (Vec<u8>, Vec<u8>) {
    let key = Ed25519KeyPair::from_seed_unchecked(&[9; 32]).expect("key");
    let certifier = Ed25519KeyPair::from_seed_unchecked(&[10; 32]).expect("key");
    let public: [u8; 32] = key.public_key().as_ref().try_into().expect("32");
    let origin = origin(&[3; 16], Side::Viewer);
    let certificate = tessera_audit::certificate_message(&origin, &public);
    let opening = Fact::LogOpened {
        format: FORMAT.into(),
        origin: origin.clone(),
        side: Side::Viewer,
        session_id: Hex([3; 16]),
        relay: "r".into(),
        software: "t".into(),
        log_key: Base64(public),
        certified_by: Certification {
            kind: Certifier::Technician,
            key: Base64(certifier.public_key().as_ref().try_into().expect("32")),
            signature: Base64(
                certifier
                    .sign(&certificate)
                    .as_ref()
                    .try_into()
                    .expect("64"),
            ),
        },
        wall_ms: 0,
        typed_text: TypedText::Counted,
    };
    let (mut log, mut file) = Log::open(key, 0, opening).expect("open");
    let (mut recorder, mut screen) = Recorder::new(&origin);
    for second in 0..3u64 {
        for n in 0..4u64 {
            let kind = match (second, n) {
                (1, _) => Kind::Update,
                (_, 0) => Kind::Keyframe,
                (_, 3) => Kind::Cursor,
                _ => Kind::Update,
            };
            let at = second * 1_000_000 + n * 1000;
            assert!(recorder
                .push(at, kind, &message(second, n))
                .expect("push")
                .is_none());
        }
        let (bytes, info) = recorder.cut().expect("a segment");
        assert_eq!(info.offset, screen.len() as u64);
        screen.extend(bytes);
        let fact = Fact::ScreenSegment {
            i: info.i,
            offset: info.offset,
            len: info.len,
            sha256: Hex(info.sha256),
            first_us: info.first_us,
            last_us: info.last_us,
            keyframe: info.keyframe,
        };
        file.extend(log.append(second * 1_000_000 + 5000, fact).expect("leaf"));
        let closing = second == 2;
        let sealed = log
            .seal(second * 1_000_000 + 6000, 0, closing)
            .expect("seal")
            .expect("new");
        file.extend(sealed.leaves);
        file.extend(sealed.checkpoint_line);
    }
    assert!(recorder.cut().is_none());
    screen.extend(recorder.close());
    (file, screen)
}

#[test]
fn segments_read_back_as_written() {
    let (_, screen) = recorded();
    let scanned = scan(&screen).expect("scan");
    assert!(scanned.closed && scanned.torn_at.is_none());
    assert_eq!(scanned.segments.len(), 3);
    let keyframes: Vec<bool> = scanned.segments.iter().map(|s| s.keyframe).collect();
    assert_eq!(keyframes, [true, false, true]);
    for (second, segment) in scanned.segments.iter().enumerate() {
        let bytes = &screen[segment.offset as usize..][..segment.len as usize];
        let read = messages(bytes).expect("messages");
        assert_eq!(read.len(), 4);
        for (n, m) in read.iter().enumerate() {
            assert_eq!(m.bytes, message(second as u64, n as u64));
            assert_eq!(m.at_us, second as u64 * 1_000_000 + n as u64 * 1000);
        }
        assert_eq!(
            read[3].kind,
            if second == 1 {
                Kind::Update
            } else {
                Kind::Cursor
            }
        );
    }
}

#[test]
fn a_crash_at_any_byte_leaves_the_whole_segments_before_it() {
    let (_, screen) = recorded();
    let full = scan(&screen).expect("scan");
    let ends: Vec<u64> = full.segments.iter().map(|s| s.offset + s.len).collect();
    let header = full.segments[0].offset as usize;
    for cut in 0..screen.len() {
        let Ok(scanned) = scan(&screen[..cut]) else {
            assert!(cut < header, "a header cut at {cut}");
            continue;
        };
        let whole = ends.iter().filter(|end| **end <= cut as u64).count();
        assert_eq!(scanned.segments.len(), whole, "cut at {cut}");
        assert_eq!(scanned.segments[..], full.segments[..whole]);
        assert!(!scanned.closed);
    }
    // A flipped byte inside a segment makes it, and what follows, torn.
    let mut flipped = screen.clone();
    flipped[full.segments[1].offset as usize + 40] ^= 1;
    let scanned = scan(&flipped).expect("scan");
    assert_eq!(scanned.segments.len(), 1);
    assert_eq!(scanned.torn_at, Some(full.segments[1].offset));
}

#[test]
fn the_log_vouches_for_each_segment() {
    let (log, screen) = recorded();
    let mut report = verify_log(&log);
    assert!(report.whole(), "{}", report.verdict());
    let check = verify_recording(&mut report, &screen);
    assert!(report.fault.is_none(), "{}", report.verdict());
    assert_eq!((check.segments, check.unlisted), (3, 0));

    // Segment 1 replaced by a well-formed one of the same size (its CRC
    // holds; only the log's hash can tell).
    let scanned = scan(&screen).expect("scan");
    let one = &scanned.segments[1];
    let mut replaced = screen.clone();
    let start = one.offset as usize + 40;
    replaced[start] ^= 1;
    let end = (one.offset + one.len) as usize;
    let crc = crc32fast::hash(&replaced[one.offset as usize..end - 4]);
    replaced[end - 4..end].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(scan(&replaced).expect("scan").segments.len(), 3);
    let mut report = verify_log(&log);
    verify_recording(&mut report, &replaced);
    let fault = report.fault.expect("a fault");
    assert_eq!(fault.place, Place::Segment(1), "{fault}");
    assert!(fault.why.contains("replaced"), "{fault}");

    // The recording cut inside segment 2.
    let mut report = verify_log(&log);
    verify_recording(
        &mut report,
        &screen[..scanned.segments[2].offset as usize + 10],
    );
    let fault = report.fault.expect("a fault");
    assert_eq!(fault.place, Place::Segment(2), "{fault}");
    assert!(fault.why.contains("missing"), "{fault}");
}
