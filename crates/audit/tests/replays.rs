//! Replay against the real encoder and decoder: a recording of pictures
//! as they were sent gives, at any moment, the picture the viewer had
//! then; before the first picture, none.

use tessera_audit::recording::{scan, Kind, Recorder};
use tessera_audit::replay::moment_at;
use tessera_screen::{Encoder, Frame, ScreenMsg};

/// A 64x48 picture, all of one shade but a square at `x`.
fn picture(x: u32) -> Frame {
    let mut frame = Frame::new(64, 48).expect("a frame");
    for (i, px) in frame.pixels_mut().chunks_exact_mut(4).enumerate() {
        let (px_x, px_y) = (i as u32 % 64, i as u32 / 64);
        let on = (x..x + 8).contains(&px_x) && (10..18).contains(&px_y);
        px.copy_from_slice(&[if on { 255 } else { 40 }, 80, 120, 0]);
    }
    frame
}

#[test]
fn every_moment_replays_as_it_was_shown() {
    let (mut recorder, mut file) = Recorder::new("tessera/00/viewer");
    let mut encoder = Encoder::new().expect("encoder");
    let mut shown = Vec::new();
    // Ten pictures 300 ms apart, a keyframe first and again at the sixth;
    // segments cut every second as the live record does.
    for step in 0..10u64 {
        if step == 5 {
            encoder.request_keyframe();
        }
        let frame = picture(step as u32 * 5);
        let update = encoder.encode(&frame).expect("encoded").expect("a change");
        let kind = match update.keyframe {
            true => Kind::Keyframe,
            false => Kind::Update,
        };
        let at_us = 100_000 + step * 300_000;
        let bytes = ScreenMsg::Update(update).to_bytes();
        if let Some((segment, _)) = recorder.push(at_us, kind, &bytes).expect("pushed") {
            file.extend(segment);
        }
        if at_us % 1_000_000 >= 700_000 {
            if let Some((segment, _)) = recorder.cut() {
                file.extend(segment);
            }
        }
        shown.push((at_us, frame));
    }
    if let Some((segment, _)) = recorder.cut() {
        file.extend(segment);
    }
    file.extend(recorder.close());
    let scanned = scan(&file).expect("scans");
    assert!(scanned.closed && scanned.segments.len() > 2);

    assert!(moment_at(&file, &scanned, 50_000)
        .expect("replays")
        .frame
        .is_none());
    for (at_us, frame) in &shown {
        for moment in [*at_us, at_us + 150_000] {
            let replayed = moment_at(&file, &scanned, moment).expect("replays");
            let got = replayed.frame.expect("a picture");
            assert_eq!(got.pixels(), frame.pixels(), "at {moment} µs");
            assert_eq!(replayed.last_us, *at_us);
        }
    }
}

#[test]
fn a_player_moving_forward_back_and_far_shows_what_was_shown() {
    let (mut recorder, mut file) = Recorder::new("tessera/00/viewer");
    let mut encoder = Encoder::new().expect("encoder");
    let mut shown = Vec::new();
    for step in 0..40u64 {
        if step % 8 == 0 {
            encoder.request_keyframe();
        }
        let frame = picture((step as u32 * 3) % 56);
        let update = encoder.encode(&frame).expect("encoded");
        let Some(update) = update else { continue };
        let kind = match update.keyframe {
            true => Kind::Keyframe,
            false => Kind::Update,
        };
        let at_us = step * 1_000_000;
        let bytes = ScreenMsg::Update(update).to_bytes();
        if let Some((segment, _)) = recorder.push(at_us, kind, &bytes).expect("pushed") {
            file.extend(segment);
        }
        if let Some((segment, _)) = recorder.cut() {
            file.extend(segment);
        }
        shown.push((at_us, frame));
    }
    file.extend(recorder.close());
    let mut player = tessera_audit::replay::Player::new(file).expect("plays");
    assert_eq!(player.end_us(), shown.last().expect("frames").0);
    // Forward one by one, back to the start, far ahead, back again.
    let order: Vec<usize> = (0..shown.len()).chain([0, 35, 3, 20, 19]).collect();
    for i in order {
        let (at_us, frame) = &shown[i];
        player.seek(at_us + 500_000).expect("seeks");
        assert_eq!(
            player.frame().expect("a picture").pixels(),
            frame.pixels(),
            "at {i}"
        );
    }
}

#[test]
fn a_player_before_the_first_picture_then_playing_shows_it() {
    let (mut recorder, mut file) = Recorder::new("tessera/00/viewer");
    let mut encoder = Encoder::new().expect("encoder");
    let frame = picture(8);
    let update = encoder.encode(&frame).expect("encoded").expect("a picture");
    let bytes = ScreenMsg::Update(update).to_bytes();
    // The first picture comes 2 s in.
    assert!(recorder
        .push(2_000_000, Kind::Keyframe, &bytes)
        .expect("pushed")
        .is_none());
    file.extend(recorder.cut().expect("a segment").0);
    file.extend(recorder.close());
    let mut player = tessera_audit::replay::Player::new(file).expect("plays");
    player.seek(2_500_000).expect("seeks");
    assert!(player.frame().is_some());
    // Back before it (Home), then playing on.
    player.seek(500_000).expect("seeks");
    assert!(player.frame().is_none(), "nothing before the first picture");
    player.seek(2_100_000).expect("seeks");
    assert_eq!(
        player.frame().expect("the picture").pixels(),
        frame.pixels()
    );
}
