//! A *lane*: a client's own UDP flow to the relay, bound to its paired
//! connection, on which the end-to-end QUIC packets travel as plain UDP
//! payloads instead of inside the relay connection's QUIC datagrams.
//!
//! Why: inside datagrams every byte is sealed and opened three times (end
//! to end, then by the outer connection on each side of the relay); on a
//! lane only the end-to-end connection seals it, and the relay only moves
//! packets (see `docs/protocol.md`, "Lanes"). The relay stays blind: what
//! it moves is the same end-to-end ciphertext.
//!
//! Binding a lane proves the address: once paired, the client gets a
//! random ticket on its control stream (`RelayMsg::LaneTicket`); it sends
//! [`LanePacket::Bind`] with the ticket from its lane socket; the relay
//! answers that address with [`LanePacket::Challenge`] carrying a fresh
//! random nonce; the client returns the nonce on its authenticated control
//! stream (`ClientMsg::OpenLane`). Only a client that receives packets at
//! the address can bind it, so no one can point a session's traffic at a
//! third party's address, and a `Bind` without a live ticket costs the
//! relay nothing. Both packets have the same size: the relay never
//! answers with more than it was sent.
//!
//! Both start with a zero byte, then four magic bytes, and are exactly
//! [`LANE_PACKET_LEN`] long. The relay does not offer to have the QUIC
//! "fixed bit" (0x40) greased, so a client's QUIC packets to it keep that
//! bit set and never start with a zero byte; the magic and the exact size
//! are checked as well.

/// What a nonce is: 128 random bits, drawn by the relay per challenge.
pub type LaneNonce = [u8; 16];
/// What a ticket is: 128 random bits, drawn by the relay per paired
/// client, that its `Bind` packets carry.
pub type LaneTicket = [u8; 16];

/// Magic after the leading zero byte: "Tessera lane, version 1".
const MAGIC: &[u8; 4] = b"TSL1";
const BIND: u8 = 1;
const CHALLENGE: u8 = 2;

/// Every lane packet's size: zero byte, magic, kind, 16 bytes.
pub const LANE_PACKET_LEN: usize = 1 + MAGIC.len() + 1 + 16;

/// The two packets of the binding exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LanePacket {
    /// Client → relay, from the lane socket: "answer me here", with the
    /// client's ticket.
    Bind(LaneTicket),
    /// Relay → client's lane address: the nonce to return on the control
    /// stream.
    Challenge(LaneNonce),
}

impl LanePacket {
    /// The packet's bytes, always [`LANE_PACKET_LEN`] long.
    pub fn encode(&self) -> [u8; LANE_PACKET_LEN] {
        let mut out = [0u8; LANE_PACKET_LEN];
        out[1..5].copy_from_slice(MAGIC);
        match self {
            LanePacket::Bind(ticket) => {
                out[5] = BIND;
                out[6..].copy_from_slice(ticket);
            }
            LanePacket::Challenge(nonce) => {
                out[5] = CHALLENGE;
                out[6..].copy_from_slice(nonce);
            }
        }
        out
    }

    /// Reads a lane packet; `None` for anything else (a QUIC packet, a
    /// wrong size, magic or kind).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != LANE_PACKET_LEN || bytes[0] != 0 || &bytes[1..5] != MAGIC {
            return None;
        }
        let body: [u8; 16] = bytes[6..].try_into().ok()?;
        match bytes[5] {
            BIND => Some(LanePacket::Bind(body)),
            CHALLENGE => Some(LanePacket::Challenge(body)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_packets_round_trip_at_one_size() {
        for p in [LanePacket::Bind([3; 16]), LanePacket::Challenge([7; 16])] {
            let bytes = p.encode();
            assert_eq!(bytes.len(), LANE_PACKET_LEN);
            assert_eq!(LanePacket::parse(&bytes), Some(p));
        }
    }

    #[test]
    fn anything_else_is_not_a_lane_packet() {
        let bind = LanePacket::Bind([0; 16]).encode();
        assert_eq!(LanePacket::parse(&bind[..LANE_PACKET_LEN - 1]), None);
        let mut longer = bind.to_vec();
        longer.push(0);
        assert_eq!(LanePacket::parse(&longer), None);
        for at in 0..6 {
            let mut bad = bind;
            bad[at] ^= 0x40;
            assert_eq!(LanePacket::parse(&bad), None, "byte {at} changed");
        }
        let mut kind = bind;
        kind[5] = 3;
        assert_eq!(LanePacket::parse(&kind), None);
        // A QUIC short-header packet of the same size.
        let mut quic = [0u8; LANE_PACKET_LEN];
        quic[0] = 0x40;
        assert_eq!(LanePacket::parse(&quic), None);
    }
}
