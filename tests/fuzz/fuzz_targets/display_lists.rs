//! The agent's display list as the viewer checks it before showing names
//! to the technician: any control-stream body, decoded as the agent's
//! message; a `Displays` list goes through `validate_displays`. A list
//! that passes is bounded, every name is short and printable (no control,
//! invisible or direction characters), and `showing` is one of them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_proto::frame::{decode_body, encode_payload};
use tessera_proto::peer::{
    is_invisible, validate_displays, AgentMsg, MAX_DISPLAYS, MAX_NAME_CHARS, MAX_PEER_FRAME,
};

fuzz_target!(|data: &[u8]| {
    let Ok(msg) = decode_body::<AgentMsg>(data, MAX_PEER_FRAME) else {
        return;
    };
    let AgentMsg::Displays { displays, showing } = &msg else {
        return;
    };
    if validate_displays(displays, *showing).is_err() {
        return;
    }
    assert!(displays.len() <= MAX_DISPLAYS);
    assert!((*showing as usize) < displays.len());
    for display in displays {
        assert!(display.name.chars().count() <= MAX_NAME_CHARS);
        assert!(
            !display
                .name
                .chars()
                .any(|c| c.is_control() || is_invisible(c)),
            "unprintable name passed: {:?}",
            display.name
        );
    }
    // What passed travels on unchanged.
    let again = decode_body::<AgentMsg>(&encode_payload(&msg), MAX_PEER_FRAME);
    assert_eq!(again.as_ref(), Ok(&msg));
});
