//! The remote input decoder and the gate: arbitrary bytes as input
//! events, each checked and passed through the gate with control granted.
//! Never a panic; whatever is injected is in bounds; releasing everything
//! leaves nothing pressed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::{Duration, Instant};
use tessera_input::{Context, Gate, InputEvent, Verdict};
use tessera_proto::frame::decode_body;

const MAX_INPUT_FRAME: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let now = Instant::now();
    let mut gate = Gate::new(now);
    let ctx = Context {
        control: true,
        prompt_open: false,
        width: 1920,
        height: 1080,
    };
    for (i, chunk) in data.split(|b| *b == 0xff).enumerate() {
        let Ok(event) = decode_body::<InputEvent>(chunk, MAX_INPUT_FRAME) else {
            continue;
        };
        let at = now + Duration::from_millis(i as u64);
        if let Verdict::Inject(event) = gate.admit(event, &ctx, at) {
            assert!(event.validate(ctx.width, ctx.height).is_ok());
        }
    }
    for release in gate.release_all() {
        assert!(matches!(
            release,
            InputEvent::Key { down: false, .. } | InputEvent::Button { down: false, .. }
        ));
    }
    assert!(gate.release_all().is_empty());
});
