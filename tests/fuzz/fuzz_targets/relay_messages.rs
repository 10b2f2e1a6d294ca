//! The relay's control-stream decoder, both directions, and its lane
//! packets (`Bind`, `Challenge`): never a panic, and
//! whatever decodes re-encodes to a message that decodes the same. (Not
//! to the same bytes: postcard accepts overlong varints, so encodings are
//! not unique; nothing signs these bytes.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_proto::frame::{body_len, decode_body, encode, LENGTH_PREFIX};
use tessera_proto::lane::LanePacket;
use tessera_proto::relay::{ClientMsg, RelayMsg, MAX_CONTROL_FRAME};

fuzz_target!(|data: &[u8]| {
    if let Some(packet) = LanePacket::parse(data) {
        assert_eq!(&packet.encode()[..], data, "a lane packet has one encoding");
    }
    if let Some(prefix) = data.get(..LENGTH_PREFIX) {
        let mut p = [0u8; LENGTH_PREFIX];
        p.copy_from_slice(prefix);
        let _ = body_len(p, MAX_CONTROL_FRAME);
    }
    if let Ok(msg) = decode_body::<ClientMsg>(data, MAX_CONTROL_FRAME) {
        let frame = encode(&msg, MAX_CONTROL_FRAME).expect("re-encodes");
        assert_eq!(decode_body::<ClientMsg>(&frame[LENGTH_PREFIX..], MAX_CONTROL_FRAME), Ok(msg));
    }
    if let Ok(msg) = decode_body::<RelayMsg>(data, MAX_CONTROL_FRAME) {
        let frame = encode(&msg, MAX_CONTROL_FRAME).expect("re-encodes");
        assert_eq!(decode_body::<RelayMsg>(&frame[LENGTH_PREFIX..], MAX_CONTROL_FRAME), Ok(msg));
    }
});
