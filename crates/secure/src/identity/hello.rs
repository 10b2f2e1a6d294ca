//! The technician's introduction, bound to one session: the viewer signs
//! its `Hello` together with the pairing transcript and both channel
//! certificates' fingerprints, so a `Hello` recorded from one session is
//! worthless in any other. The agent checks that signature (refusing the
//! session if it fails) and then weighs the certificate, if any, against
//! its trust store: verified, or not verified and why.

use super::certificate::signature_holds;
use super::keypair::{verify, SigningKey};
use super::trust::TrustStore;
use tessera_proto::identity::{Certificate, PublicKey, Signature};
use tessera_proto::peer::{Hello, Ticket};
use tessera_proto::{Fingerprint, Grants};

/// Separates hello signatures from every other signature.
const DOMAIN: &[u8] = b"tessera/1 hello\0";

/// What ties a `Hello` to one session; both sides know it after pairing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionBinding {
    /// The pairing transcript hash (nameplate, session id, PAKE messages).
    pub transcript: [u8; 32],
    /// The agent's end-to-end certificate.
    pub agent: Fingerprint,
    /// The viewer's end-to-end certificate.
    pub viewer: Fingerprint,
}

/// The bytes the technician's key signs; `None` if the fields cannot be
/// encoded (never with these types), which then verifies nothing.
fn signed_bytes(
    binding: &SessionBinding,
    name: &str,
    org: Option<&str>,
    requested: Grants,
    key: &PublicKey,
    certificate: Option<&Certificate>,
    ticket: Option<&Ticket>,
) -> Option<Vec<u8>> {
    let body = (name, org, requested, key, certificate, ticket);
    let encoded = postcard::to_allocvec(&body).ok()?;
    Some(
        [
            DOMAIN,
            &binding.transcript,
            &binding.agent.0,
            &binding.viewer.0,
            &encoded,
        ]
        .concat(),
    )
}

/// The technician's side of an introduction, before it is signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Introduction {
    /// The name they give.
    pub name: String,
    /// Their organisation, if they give one.
    pub org: Option<String>,
    /// What they ask to do.
    pub requested: Grants,
    /// Their organisation's certificate for their key, if they have one.
    pub certificate: Option<Certificate>,
    /// The support ticket the session is for, if they give one.
    pub ticket: Option<Ticket>,
}

/// Makes the `Hello` for this session, signed with the technician's key.
pub fn signed_hello(intro: &Introduction, key: &SigningKey, binding: &SessionBinding) -> Hello {
    let public = key.public();
    // Unencodable fields leave the hello unsigned: the agent refuses it.
    let signature = signed_bytes(
        binding,
        &intro.name,
        intro.org.as_deref(),
        intro.requested,
        &public,
        intro.certificate.as_ref(),
        intro.ticket.as_ref(),
    )
    .map_or(NO_SIGNATURE, |bytes| key.sign(&bytes));
    Hello {
        name: intro.name.clone(),
        org: intro.org.clone(),
        requested: intro.requested,
        key: public,
        certificate: intro.certificate.clone(),
        ticket: intro.ticket.clone(),
        signature,
    }
}

/// Why a technician is shown as not verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotVerified {
    /// They sent no certificate.
    NoCertificate,
    /// The certificate does not name the key that signed the `Hello`.
    OtherKey,
    /// The certificate's signature does not hold (altered or forged).
    BadSignature,
    /// No organisation this machine trusts signed it.
    UnknownOrg,
    /// It is not valid yet.
    NotYetValid,
    /// It has expired.
    Expired,
    /// The name or organisation shown differs from the certificate's.
    NameMismatch,
}

impl NotVerified {
    /// The word used in events and logs.
    pub fn name(self) -> &'static str {
        match self {
            NotVerified::NoCertificate => "no_certificate",
            NotVerified::OtherKey => "other_key",
            NotVerified::BadSignature => "bad_signature",
            NotVerified::UnknownOrg => "unknown_org",
            NotVerified::NotYetValid => "not_yet_valid",
            NotVerified::Expired => "expired",
            NotVerified::NameMismatch => "name_mismatch",
        }
    }
}

/// What the agent may say about who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// A trusted organisation vouches for this name and key.
    Verified {
        /// The organisation, as the trust store names it.
        org: String,
    },
    /// The name was typed by the caller; nobody vouches for it.
    NotVerified(NotVerified),
}

/// The `Hello`'s signature does not hold for this session: it was made
/// for another session, altered on the way, or forged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the technician's introduction is not signed for this session (replayed or altered)")]
pub struct NotThisSession;

/// Checks `hello` for this session and weighs its certificate against
/// `trust` at `now` (Unix seconds).
pub fn assess(
    hello: &Hello,
    binding: &SessionBinding,
    trust: &TrustStore,
    now: u64,
) -> Result<Verification, NotThisSession> {
    let bytes = signed_bytes(
        binding,
        &hello.name,
        hello.org.as_deref(),
        hello.requested,
        &hello.key,
        hello.certificate.as_ref(),
        hello.ticket.as_ref(),
    );
    if !bytes.is_some_and(|bytes| verify(&hello.key, &bytes, &hello.signature)) {
        return Err(NotThisSession);
    }
    let not = |why| Ok(Verification::NotVerified(why));
    let Some(cert) = &hello.certificate else {
        return not(NotVerified::NoCertificate);
    };
    if cert.key != hello.key {
        return not(NotVerified::OtherKey);
    }
    if !signature_holds(cert) {
        return not(NotVerified::BadSignature);
    }
    if !trust.trusts(&cert.org, &cert.issuer) {
        return not(NotVerified::UnknownOrg);
    }
    if now < cert.not_before {
        return not(NotVerified::NotYetValid);
    }
    if now >= cert.not_after {
        return not(NotVerified::Expired);
    }
    if cert.name != hello.name || hello.org.as_deref() != Some(cert.org.as_str()) {
        return not(NotVerified::NameMismatch);
    }
    Ok(Verification::Verified {
        org: cert.org.clone(),
    })
}

/// Signature bytes that verify nothing, for a `Hello` built before the
/// session is known (tests and tools).
pub const NO_SIGNATURE: Signature = Signature([0; 64]);
