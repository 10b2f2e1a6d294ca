//! Tessera's wire vocabulary: session codes, the relay's rendezvous messages,
//! the messages agent and viewer exchange end to end, and their bounded,
//! versioned binary framing.
//!
//! Nothing here does I/O. Every decoder takes a size limit and returns a
//! typed error naming what was wrong, so that data from the wire can never
//! cause a panic or an unbounded allocation.
#![forbid(unsafe_code)]

pub mod audit;
pub mod clipboard;
pub mod code;
mod damm;
pub mod end;
pub mod files;
pub mod fingerprint;
pub mod frame;
pub mod grants;
pub mod identity;
pub mod lane;
pub mod lang;
pub mod pairing;
pub mod peer;
pub mod relay;
pub mod upgrade;

pub use code::{Code, CodeError, Nameplate, NotANameplate, Secret};
pub use end::EndReason;
pub use fingerprint::Fingerprint;
pub use frame::{FrameError, PROTOCOL_VERSION};
pub use grants::{Grants, Permission};
pub use lang::Lang;
pub use upgrade::UpgradeRefusal;
