//! Certificates: an organisation vouches that a key is its technician's,
//! for a time. The organisation signs a domain-separated encoding of every
//! field but the signature.

use super::keypair::{verify, SigningKey};
use tessera_proto::identity::{Certificate, PublicKey, Signature};

/// Separates certificate signatures from every other signature.
const DOMAIN: &[u8] = b"tessera/1 technician certificate\0";

/// What the organisation signs; `None` if the fields cannot be encoded
/// (never with these types), which then verifies nothing.
fn signed_bytes(
    name: &str,
    org: &str,
    key: &PublicKey,
    not_before: u64,
    not_after: u64,
    issuer: &PublicKey,
) -> Option<Vec<u8>> {
    let body = (name, org, key, not_before, not_after, issuer);
    let encoded = postcard::to_allocvec(&body).ok()?;
    Some([DOMAIN, &encoded].concat())
}

/// What an organisation states about a technician.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The technician's name.
    pub name: String,
    /// The organisation's name.
    pub org: String,
    /// The technician's public key.
    pub key: PublicKey,
    /// Valid from (Unix seconds).
    pub not_before: u64,
    /// Valid until (Unix seconds, exclusive).
    pub not_after: u64,
}

/// Signs `statement` with the organisation's key.
pub fn issue(org_key: &SigningKey, statement: Statement) -> Certificate {
    let issuer = org_key.public();
    // Unencodable fields leave it unsigned: it never verifies.
    let signature: Signature = signed_bytes(
        &statement.name,
        &statement.org,
        &statement.key,
        statement.not_before,
        statement.not_after,
        &issuer,
    )
    .map_or(Signature([0; 64]), |bytes| org_key.sign(&bytes));
    Certificate {
        name: statement.name,
        org: statement.org,
        key: statement.key,
        not_before: statement.not_before,
        not_after: statement.not_after,
        issuer,
        signature,
    }
}

/// Whether the certificate was signed by its `issuer`, unchanged since.
pub fn signature_holds(cert: &Certificate) -> bool {
    let bytes = signed_bytes(
        &cert.name,
        &cert.org,
        &cert.key,
        cert.not_before,
        cert.not_after,
        &cert.issuer,
    );
    bytes.is_some_and(|bytes| verify(&cert.issuer, &bytes, &cert.signature))
}
