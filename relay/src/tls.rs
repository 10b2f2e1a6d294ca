//! The relay's certificate: given with `--cert/--key`, or self-signed and
//! kept in `--data-dir` so its fingerprint stays the same across restarts.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use tessera_net::cert::{fingerprint, SelfSigned};
use tessera_proto::Fingerprint;

/// A certificate chain and its key.
pub struct RelayIdentity {
    /// Leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's key.
    pub key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for RelayIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RelayIdentity({})", self.fingerprint())
    }
}

impl RelayIdentity {
    /// The fingerprint clients pin (`--relay-fingerprint`).
    pub fn fingerprint(&self) -> Fingerprint {
        self.chain
            .first()
            .map(fingerprint)
            .unwrap_or(Fingerprint([0; 32]))
    }

    /// Loads PEM files given by the operator.
    pub fn load(cert: &Path, key: &Path) -> Result<Self, String> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("{}: {e}", cert.display()))?;
        if chain.is_empty() {
            return Err(format!("{}: no certificate in this file", cert.display()));
        }
        let key =
            PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
        Ok(Self { chain, key })
    }

    /// Loads the self-signed certificate kept in `dir`, creating it (and
    /// `dir`) on first start. The key file is readable by its owner only.
    pub fn load_or_create(dir: &Path) -> Result<Self, String> {
        let (cert_path, key_path) = paths(dir);
        match (cert_path.exists(), key_path.exists()) {
            (true, true) => return Self::load(&cert_path, &key_path),
            (false, false) => {}
            // Silently making a new identity would change the fingerprint
            // every client pinned.
            (true, false) | (false, true) => {
                return Err(format!(
                    "{} holds only one of relay-cert.pem and relay-key.pem: restore the other, or remove both to create a new identity (clients will then see a new fingerprint)",
                    dir.display()
                ))
            }
        }
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let fresh =
            SelfSigned::generate(&["tessera-relay", "localhost"]).map_err(|e| e.to_string())?;
        write_private(&key_path, fresh.key_pem.as_bytes())?;
        std::fs::write(&cert_path, &fresh.cert_pem)
            .map_err(|e| format!("{}: {e}", cert_path.display()))?;
        Self::load(&cert_path, &key_path)
    }
}

fn paths(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("relay-cert.pem"), dir.join("relay-key.pem"))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}
