//! Self-signed certificates: a fresh one per session for each peer of the
//! inner connection (pinned through the PAKE), and the relay's own when no
//! CA-issued certificate is given.

use crate::NetError;
use ring::digest;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tessera_proto::Fingerprint;

/// A certificate with its private key and fingerprint.
pub struct SelfSigned {
    /// The DER certificate.
    pub cert: CertificateDer<'static>,
    /// The PKCS#8 private key.
    pub key: PrivatePkcs8KeyDer<'static>,
    /// SHA-256 of `cert`.
    pub fingerprint: Fingerprint,
    /// `cert` in PEM, for storing.
    pub cert_pem: String,
    /// `key` in PEM, for storing (owner-readable files only).
    pub key_pem: String,
}

impl SelfSigned {
    /// A new ECDSA P-256 certificate for `names`.
    pub fn generate(names: &[&str]) -> Result<Self, NetError> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let certified = rcgen::generate_simple_self_signed(names)
            .map_err(|e| NetError::Tls(format!("cannot create a certificate: {e}")))?;
        let cert = certified.cert.der().clone();
        let key = PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der());
        Ok(Self {
            fingerprint: fingerprint(&cert),
            cert_pem: certified.cert.pem(),
            key_pem: certified.signing_key.serialize_pem(),
            cert,
            key,
        })
    }

    /// The private key in the form rustls takes.
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.clone_key())
    }
}

/// SHA-256 of a DER certificate.
pub fn fingerprint(cert: &CertificateDer<'_>) -> Fingerprint {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, cert.as_ref()).as_ref());
    Fingerprint(out)
}
