//! The end-to-end control-stream decoder and the content checks applied
//! before anything reaches the person's screen or the session record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_proto::frame::decode_body;
use tessera_proto::peer::{validate_asking, validate_chat, AgentMsg, ViewerMsg, MAX_PEER_FRAME};

fuzz_target!(|data: &[u8]| {
    match decode_body::<ViewerMsg>(data, MAX_PEER_FRAME) {
        Ok(ViewerMsg::Hello(hello)) => {
            let _ = hello.validate();
        }
        Ok(ViewerMsg::Chat { text }) => {
            let _ = validate_chat(&text);
        }
        Ok(ViewerMsg::Audit(msg)) => {
            let _ = msg.validate();
        }
        Ok(ViewerMsg::Files(msg)) => {
            let _ = msg.validate();
        }
        _ => {}
    }
    match decode_body::<AgentMsg>(data, MAX_PEER_FRAME) {
        Ok(AgentMsg::Asking {
            verified,
            verified_by,
            not_verified,
        }) => {
            let _ = validate_asking(verified, verified_by.as_deref(), not_verified.as_deref());
        }
        Ok(AgentMsg::Audit(msg)) => {
            let _ = msg.validate();
        }
        Ok(AgentMsg::Files(msg)) => {
            let _ = msg.validate();
        }
        _ => {}
    }
});
