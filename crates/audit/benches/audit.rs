//! What auditing costs: `verify` of a one-hour session log (MB/s), and
//! replay's seek to moments spread over a one-hour screen recording (a
//! real encoder's updates of a 1280x720 screen, one a second, a whole
//! picture every 8 s as the agent sends them).
//! Run: `cargo bench -p tessera-audit --bench audit`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ring::signature::Ed25519KeyPair;
use std::hint::black_box;
use tessera_audit::log::Log;
use tessera_audit::record::{origin, Certification, Certifier, Fact, Outcome, Side, TypedText};
use tessera_audit::recording::{scan, Kind, Recorder};
use tessera_audit::replay::moment_at;
use tessera_audit::verify::verify_log;
use tessera_audit::wire::{Base64, Hex};
use tessera_input::Key;
use tessera_screen::{Encoder, Frame, ScreenMsg};

const SECONDS: u64 = 3600;

/// The device key's certificate of the log key.
fn certification(origin: &str, log_key: &[u8; 32]) -> Certification {
    let device = Ed25519KeyPair::from_seed_unchecked(&[8; 32]).expect("key");
    let public: [u8; 32] = ring::signature::KeyPair::public_key(&device)
        .as_ref()
        .try_into()
        .expect("32");
    let message = tessera_audit::certificate_message(origin, log_key);
    let signature: [u8; 64] = device.sign(&message).as_ref().try_into().expect("64");
    Certification {
        kind: Certifier::Device,
        key: Base64(public),
        signature: Base64(signature),
    }
}

/// An hour of a busy session: five keys and a chat line every second,
/// sealed every second.
fn hour_log() -> Vec<u8> {
    let key = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).expect("key");
    let public: [u8; 32] = ring::signature::KeyPair::public_key(&key)
        .as_ref()
        .try_into()
        .expect("32");
    let origin = origin(&[1; 16], Side::Agent);
    let opening = Fact::LogOpened {
        format: tessera_audit::record::FORMAT.into(),
        origin: origin.clone(),
        side: Side::Agent,
        session_id: Hex([1; 16]),
        relay: "relay.example.org:4433".into(),
        software: "bench".into(),
        log_key: Base64(public),
        certified_by: certification(&origin, &public),
        wall_ms: 1_796_000_000_000,
        typed_text: TypedText::Recorded,
    };
    let (mut log, mut file) = Log::open(key, 0, opening).expect("opens");
    for second in 0..SECONDS {
        let t = second * 1_000_000;
        for i in 0..5 {
            let line = log
                .append(
                    t + i * 1000,
                    Fact::Key {
                        key: Key::KeyA,
                        down: i % 2 == 0,
                        text: Some('a'),
                        outcome: Outcome::Injected,
                        why: None,
                    },
                )
                .expect("appends");
            file.extend(line);
        }
        let chat = Fact::Chat {
            from: Side::Viewer,
            text: "Je regarde la configuration de l'imprimante".into(),
        };
        file.extend(log.append(t + 10_000, chat).expect("appends"));
        let sealed = log
            .seal(
                t + 20_000,
                1_796_000_000_000 + second * 1000,
                second + 1 == SECONDS,
            )
            .expect("seals")
            .expect("something to seal");
        file.extend(sealed.leaves);
        file.extend(sealed.checkpoint_line);
    }
    file
}

/// An hour of screen: one update a second, a whole picture every 8 s.
fn hour_recording() -> Vec<u8> {
    let (mut recorder, mut file) = Recorder::new("tessera/01/viewer");
    let mut encoder = Encoder::new().expect("encoder");
    let mut frame = Frame::new(1280, 720).expect("frame");
    for second in 0..SECONDS {
        if second % 8 == 0 {
            encoder.request_keyframe();
        }
        // A "keystroke": a small block changes somewhere each second.
        let (x, y) = (
            (second * 37 % 150) as usize * 8,
            (second * 11 % 80) as usize * 8,
        );
        let stride = frame.stride();
        for row in y..y + 8 {
            for col in x..x + 8 {
                let at = row * stride + col * 4;
                frame.pixels_mut()[at..at + 4].copy_from_slice(&[second as u8, 90, 200, 0]);
            }
        }
        let update = encoder.encode(&frame).expect("encodes").expect("a change");
        let kind = match update.keyframe {
            true => Kind::Keyframe,
            false => Kind::Update,
        };
        let bytes = ScreenMsg::Update(update).to_bytes();
        if let Some((segment, _)) = recorder
            .push(second * 1_000_000, kind, &bytes)
            .expect("pushed")
        {
            file.extend(segment);
        }
        if let Some((segment, _)) = recorder.cut() {
            file.extend(segment);
        }
    }
    file.extend(recorder.close());
    file
}

fn bench(c: &mut Criterion) {
    let log = hour_log();
    let report = verify_log(&log);
    assert!(report.whole(), "{}", report.verdict());
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.sample_size(10);
    group.bench_function(format!("one_hour_log_{}_MB", log.len() / 1_000_000), |b| {
        b.iter(|| black_box(verify_log(&log).leaves.len()))
    });
    group.finish();

    let recording = hour_recording();
    let scanned = scan(&recording).expect("scans");
    let mut group = c.benchmark_group("replay");
    group.sample_size(20);
    group.bench_function(
        format!("scan_one_hour_{}_MB", recording.len() / 1_000_000),
        |b| b.iter(|| black_box(scan(&recording).expect("scans").segments.len())),
    );
    let mut moment = 0u64;
    group.bench_function("seek_any_moment_of_one_hour", |b| {
        b.iter(|| {
            // Moments spread over the hour, each just before a keyframe
            // (the worst case: seven updates to apply after one).
            moment = (moment + 7 * 8 + 7) % SECONDS;
            let at = moment * 1_000_000 + 500_000;
            black_box(
                moment_at(&recording, &scanned, at)
                    .expect("replays")
                    .last_us,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
