//! How a client decides to trust a relay: a pinned fingerprint, a CA, or
//! trust on first use recorded in a known-relays file (as SSH does), with a
//! loud error when a recorded certificate changes.
//!
//! Relay authenticity is defence in depth: end-to-end security comes from
//! the PAKE, never from the relay.

use crate::pinned::{Pin, PinnedServer};
use crate::NetError;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tessera_proto::Fingerprint;

/// The policy chosen on the command line.
#[derive(Clone, Debug)]
pub enum RelayTrust {
    /// `--relay-fingerprint`: exactly this certificate.
    Fingerprint(Fingerprint),
    /// `--relay-ca FILE`: any certificate this CA issued for the host name.
    Ca(PathBuf),
    /// Neither: trust on first use, recorded in this file.
    KnownRelays(PathBuf),
}

impl RelayTrust {
    /// The policy from the command-line flags every client shares: a
    /// fingerprint wins over a CA, which wins over trust on first use.
    pub fn from_flags(
        fingerprint: Option<Fingerprint>,
        ca: Option<PathBuf>,
        known_relays: Option<PathBuf>,
    ) -> Self {
        match (fingerprint, ca) {
            (Some(fp), _) => RelayTrust::Fingerprint(fp),
            (None, Some(ca)) => RelayTrust::Ca(ca),
            (None, None) => {
                RelayTrust::KnownRelays(known_relays.unwrap_or_else(Self::default_known_relays))
            }
        }
    }

    /// The default known-relays file: `$XDG_CONFIG_HOME/tessera/known_relays`
    /// or `~/.config/tessera/known_relays`.
    pub fn default_known_relays() -> PathBuf {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .unwrap_or_else(|| PathBuf::from("."));
        base.join("tessera").join("known_relays")
    }
}

/// A verifier for one connection attempt, and what to do after it.
pub struct TrustCheck {
    /// The verifier to put in the client config.
    pub verifier: Arc<dyn ServerCertVerifier>,
    pin: Option<Arc<Pin>>,
    expected: Option<(Fingerprint, String)>,
    record_to: Option<PathBuf>,
    relay: String,
}

impl TrustCheck {
    /// Prepares the check of relay `relay` (as `HOST:PORT`) under `trust`.
    pub fn new(trust: &RelayTrust, relay: &str) -> Result<Self, NetError> {
        let relay = relay.to_string();
        match trust {
            RelayTrust::Fingerprint(fp) => {
                let pin = Pin::new(Some(*fp));
                Ok(Self {
                    verifier: Arc::new(PinnedServer(pin.clone())),
                    pin: Some(pin),
                    expected: Some((*fp, "given with --relay-fingerprint".into())),
                    record_to: None,
                    relay,
                })
            }
            RelayTrust::Ca(path) => {
                let mut roots = rustls::RootCertStore::empty();
                let certs = CertificateDer::pem_file_iter(path)
                    .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| file_error(path, e))?;
                for cert in certs {
                    roots.add(cert).map_err(|e| file_error(path, e))?;
                }
                let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
                    Arc::new(roots),
                    crate::crypto_provider(),
                )
                .build()
                .map_err(|e| file_error(path, e))?;
                Ok(Self {
                    verifier,
                    pin: None,
                    expected: None,
                    record_to: None,
                    relay,
                })
            }
            RelayTrust::KnownRelays(path) => {
                let known = lookup(path, &relay)?;
                let pin = Pin::new(known);
                Ok(Self {
                    verifier: Arc::new(PinnedServer(pin.clone())),
                    pin: Some(pin),
                    expected: known.map(|fp| (fp, format!("recorded in {}", path.display()))),
                    record_to: known.is_none().then(|| path.clone()),
                    relay,
                })
            }
        }
    }

    /// After a failed handshake: a clear error if the cause was a changed
    /// certificate.
    pub fn mismatch(&self) -> Option<NetError> {
        let seen = self.pin.as_ref()?.seen()?;
        let (expected, source) = self.expected.clone()?;
        (seen != expected).then(|| NetError::RelayCertificateChanged {
            addr: self.relay.clone(),
            seen,
            expected,
            source_of_trust: source,
        })
    }

    /// After a successful handshake: record a first-seen relay.
    pub fn connected(&self) -> Result<(), NetError> {
        let (Some(path), Some(seen)) = (&self.record_to, self.pin.as_ref().and_then(|p| p.seen()))
        else {
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| file_error(path, e))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| file_error(path, e))?;
        writeln!(file, "{} {}", self.relay, seen).map_err(|e| file_error(path, e))?;
        Ok(())
    }
}

/// The recorded fingerprint of `relay` in a known-relays file.
fn lookup(path: &Path, relay: &str) -> Result<Option<Fingerprint>, NetError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_error(path, e)),
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(addr), Some(fp)) = (parts.next(), parts.next()) else {
            return Err(NetError::File {
                path: path.display().to_string(),
                reason: format!("line {} is not `HOST:PORT FINGERPRINT`", n + 1),
            });
        };
        if addr == relay {
            return fp.parse().map(Some).map_err(|e| NetError::File {
                path: path.display().to_string(),
                reason: format!("line {}: {e}", n + 1),
            });
        }
    }
    Ok(None)
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> NetError {
    NetError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_relays_lookup() {
        let dir = std::env::temp_dir().join(format!("tessera-known-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("known_relays");
        let fp = Fingerprint([0x11; 32]);
        std::fs::write(&path, format!("# comment\nrelay.example:7700 {fp}\n")).expect("write");
        assert_eq!(lookup(&path, "relay.example:7700").expect("ok"), Some(fp));
        assert_eq!(lookup(&path, "other:7700").expect("ok"), None);
        std::fs::write(&path, "garbage\n").expect("write");
        assert!(matches!(lookup(&path, "x:1"), Err(NetError::File { .. })));
        assert_eq!(lookup(&dir.join("absent"), "x:1").expect("ok"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
