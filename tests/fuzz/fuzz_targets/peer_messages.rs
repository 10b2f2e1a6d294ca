//! The end-to-end control-stream decoder and the content checks applied
//! before anything reaches the person's screen or the session record;
//! and the heads of the other streams: a file's head and end, and a
//! clipboard copy's head with the bytes after it (a 1-byte length, the
//! head, the bytes), which is used only if it is exactly what the head
//! announced.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_proto::clipboard::{Clip, ClipHead};
use tessera_proto::files::{StreamEnd, StreamHead};
use tessera_proto::frame::decode_body;
use tessera_proto::peer::{validate_asking, validate_chat, AgentMsg, ViewerMsg, MAX_PEER_FRAME};

fuzz_target!(|data: &[u8]| {
    let _ = decode_body::<StreamHead>(data, 256);
    let _ = decode_body::<StreamEnd>(data, 256);
    if let Some((&len, rest)) = data.split_first() {
        let (head, bytes) = rest.split_at(usize::from(len).min(rest.len()));
        if let Ok(head) = decode_body::<ClipHead>(head, 128) {
            if let Ok(clip) = Clip::received(&head, bytes.to_vec()) {
                assert_eq!(clip.bytes().len(), head.bytes as usize);
                assert_eq!(clip.sha256(), head.sha256);
                assert!(clip.as_text().is_some(), "a text copy that is not text");
            }
        }
    }
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
