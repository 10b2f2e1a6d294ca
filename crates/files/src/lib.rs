//! Files in a session, as the receiver sees them: it alone decides where
//! bytes go. A sender offers a manifest (relative paths, sizes, whether
//! each file runs, empty folders); the receiver checks every path
//! ([`path`]) and the list as a whole ([`manifest`]), writes each file
//! under a temporary name in one rooted folder ([`receive`]), and gives
//! it its name only when its SHA-256 is the sender's ([`chunks`]), whose
//! chained chunk hashes also let a cut transfer resume from what was
//! checked. The [`worker`] carries all of it over the end-to-end
//! connection for a session's machine, which holds the session's rules
//! (`tessera_session::transfers`); `docs/files-clipboard.md` gives the
//! protocol and the threat model.
#![forbid(unsafe_code)]

pub mod chunks;
pub mod downloads;
pub mod incoming;
pub mod manifest;
pub mod path;
pub mod receive;
pub mod source;
pub mod worker;
