//! What the fuzz targets and the seed writer (`examples/write_seeds`)
//! share: fixed identities, input formats, the agent brought to its
//! consent prompt by a real pairing, and the agent-authority script and
//! its checks.

pub mod audit;
pub mod audit_peer;
pub mod authority;
pub mod file_streams;
pub mod fixtures;
pub mod introduction;
pub mod pairing;
pub mod script;
