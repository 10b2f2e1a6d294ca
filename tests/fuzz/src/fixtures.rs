//! Fixed keys, names and session binding shared by the fuzz targets and
//! the seed writer. Ed25519 signatures are deterministic, so a seed signed
//! with these keys is the same every time it is written, and it stays
//! valid for the targets that check it against the same fixtures.

use tessera_proto::Fingerprint;
use tessera_secure::identity::{SessionBinding, SigningKey, TrustStore};

/// The agent's clock when an introduction arrives (Unix seconds, 2027).
pub const NOW: u64 = 1_800_000_000;
/// The one organisation the agent trusts.
pub const ORG_NAME: &str = "Acme IT";
/// The technician's name, as their certificate gives it.
pub const TECHNICIAN_NAME: &str = "Jane Doe";
/// The agent's end-to-end certificate.
pub const AGENT_FP: Fingerprint = Fingerprint([0x0a; 32]);
/// The viewer's end-to-end certificate.
pub const VIEWER_FP: Fingerprint = Fingerprint([0x0b; 32]);

/// Which fixed key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The trusted organisation's key.
    Org,
    /// An organisation nobody trusts (it may still call itself `Acme IT`).
    Stranger,
    /// The technician's key.
    Technician,
    /// Another technician's key.
    Colleague,
}

/// The fixed key of `who`: a PKCS#8 v2 document built around a fixed
/// seed, as `ring` writes them (version 1 of the structure, the seed, then
/// the public key, which `ring` checks against the seed).
pub fn key(who: Who) -> SigningKey {
    let seed = seed(who);
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
        .expect("any 32 bytes are an Ed25519 seed");
    let public = ring::signature::KeyPair::public_key(&pair);
    let mut pkcs8 = vec![
        0x30, 0x53, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    pkcs8.extend_from_slice(&seed);
    pkcs8.extend_from_slice(&[0xa1, 0x23, 0x03, 0x21, 0x00]);
    pkcs8.extend_from_slice(public.as_ref());
    SigningKey::from_pkcs8(&pkcs8).expect("a well-formed PKCS#8 v2 Ed25519 key")
}

/// The fixed seed of `who`'s key.
fn seed(who: Who) -> [u8; 32] {
    [match who {
        Who::Org => 0x0a,
        Who::Stranger => 0x5a,
        Who::Technician => 0x7e,
        Who::Colleague => 0xc0,
    }; 32]
}

/// The agent's trust store: [`ORG_NAME`] with the [`Who::Org`] key.
pub fn trust() -> TrustStore {
    TrustStore::parse(&format!("{} {ORG_NAME}\n", key(Who::Org).public()))
        .expect("a well-formed trust line")
}

/// The session introductions are signed for.
pub fn binding() -> SessionBinding {
    SessionBinding {
        transcript: [0x5e; 32],
        agent: AGENT_FP,
        viewer: VIEWER_FP,
    }
}

/// Another session, one bit of its transcript away from [`binding`].
pub fn other_binding() -> SessionBinding {
    let mut other = binding();
    other.transcript[0] ^= 1;
    other
}

/// The session log the `audit_notes` seeds sign: a checkpoint's origin,
/// and the name of the log's key.
pub const AUDIT_LOG: &str = "tessera/5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e/agent";
/// The other end, which cosigns the log's checkpoints.
pub const AUDIT_WITNESS: &str = "tessera/5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e/viewer";
/// When the other end cosigns in the seeds (Unix seconds, as [`NOW`]).
pub const AUDIT_TIME: u64 = NOW;

/// The session log's Ed25519 key, from a fixed seed.
pub fn audit_log_key() -> ring::signature::Ed25519KeyPair {
    ring::signature::Ed25519KeyPair::from_seed_unchecked(&[0x1a; 32])
        .expect("any 32 bytes are an Ed25519 seed")
}

/// The other end's Ed25519 cosigning key, from a fixed seed.
pub fn audit_witness_key() -> ring::signature::Ed25519KeyPair {
    ring::signature::Ed25519KeyPair::from_seed_unchecked(&[0x1b; 32])
        .expect("any 32 bytes are an Ed25519 seed")
}

/// The public half of a key, as the audit verifiers take it.
pub fn audit_public(key: &ring::signature::Ed25519KeyPair) -> [u8; 32] {
    let mut public = [0; 32];
    public.copy_from_slice(ring::signature::KeyPair::public_key(key).as_ref());
    public
}

/// The agent machine's device key, which vouches for the agent's log
/// key in the `audit_records` seeds (a fixed seed).
pub fn audit_device_key() -> ring::signature::Ed25519KeyPair {
    ring::signature::Ed25519KeyPair::from_seed_unchecked(&[0x1c; 32])
        .expect("any 32 bytes are an Ed25519 seed")
}

/// The technician's identity key ([`Who::Technician`]'s, as `ring` holds
/// it), which vouches for the viewer's log key.
pub fn audit_technician_key() -> ring::signature::Ed25519KeyPair {
    ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed(Who::Technician))
        .expect("any 32 bytes are an Ed25519 seed")
}
