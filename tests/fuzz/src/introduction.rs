//! The `introduction` target's input: the agent's clock (eight bytes,
//! little-endian Unix seconds), then a control-stream frame body from the
//! viewer, decoded with the peer channel's bounds. The clock is the
//! fuzzer's so it can walk certificates' validity edges, which it could
//! not do by changing their (signed) dates.

use tessera_proto::frame::{decode_body, encode_payload};
use tessera_proto::peer::{Hello, ViewerMsg, MAX_PEER_FRAME};

/// The input holding `hello`, arriving at `now`.
pub fn encode(now: u64, hello: &Hello) -> Vec<u8> {
    let mut out = now.to_le_bytes().to_vec();
    out.extend(encode_payload(&ViewerMsg::Hello(Box::new(hello.clone()))));
    out
}

/// The clock and the `Hello`, if the bytes hold one.
pub fn decode(data: &[u8]) -> Option<(u64, Box<Hello>)> {
    let (clock, body) = data.split_first_chunk::<8>()?;
    match decode_body::<ViewerMsg>(body, MAX_PEER_FRAME).ok()? {
        ViewerMsg::Hello(hello) => Some((u64::from_le_bytes(*clock), hello)),
        _ => None,
    }
}
