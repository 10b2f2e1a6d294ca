//! Technician identities: Ed25519 keys, certificates an organisation signs
//! for its technicians, the agent's trust store of organisations, and the
//! technician's introduction signed for one session and assessed by the
//! agent.

mod certificate;
mod files;
mod hello;
mod keypair;
mod trust;

pub use certificate::{issue, signature_holds, Statement};
pub use files::{
    certificate_text, parse_certificate, FileError, IdentityFile, OrgKeyFile, MAX_IDENTITY_FILE,
};
pub use hello::{
    assess, signed_hello, Introduction, NotThisSession, NotVerified, SessionBinding, Verification,
    NO_SIGNATURE,
};
pub use keypair::{verify, KeyError, SigningKey};
pub use trust::{TrustError, TrustStore, TrustedOrg, MAX_TRUSTED_ORGS, MAX_TRUST_FILE};
