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

/// Writes a private key so that no one else can read it at any moment:
/// into a temporary file beside `path` with a name unique to this process
/// and call, created exclusively with mode 0600 (so a file or symlink
/// planted under that name makes it fail instead of being reused or
/// followed), synced, renamed over `path`, and the rename synced too.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}.{:016x}.tmp",
        std::process::id(),
        rand::random::<u64>()
    ));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    let written = f
        .write_all(bytes)
        .and_then(|()| f.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{}: {e}", path.display()));
    }
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("{}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tessera-tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn assert_private_regular_file(path: &Path) {
        let meta = std::fs::symlink_metadata(path).unwrap();
        assert!(
            meta.file_type().is_file(),
            "{} is not a plain file",
            path.display()
        );
        assert_eq!(meta.mode() & 0o077, 0, "mode {:o}", meta.mode() & 0o777);
    }

    #[test]
    fn a_planted_world_readable_temporary_file_does_not_expose_the_key() {
        let dir = scratch("planted");
        let planted = dir.join("relay-key.tmp");
        std::fs::write(&planted, b"").unwrap();
        std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o644)).unwrap();
        let identity = RelayIdentity::load_or_create(&dir).unwrap();
        assert_private_regular_file(&dir.join("relay-key.pem"));
        if let Ok(left) = std::fs::read(&planted) {
            assert!(left.is_empty(), "the key went into the planted file");
        }
        let again = RelayIdentity::load_or_create(&dir).unwrap();
        assert_eq!(again.fingerprint(), identity.fingerprint());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_planted_symlink_is_not_followed() {
        let dir = scratch("symlink");
        let elsewhere = dir.join("readable-by-all");
        std::fs::write(&elsewhere, b"").unwrap();
        std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.join("relay-key.tmp")).unwrap();
        RelayIdentity::load_or_create(&dir).unwrap();
        assert_private_regular_file(&dir.join("relay-key.pem"));
        assert!(std::fs::read(&elsewhere).unwrap().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn no_temporary_file_is_left_behind() {
        let dir = scratch("clean");
        RelayIdentity::load_or_create(&dir).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["relay-cert.pem", "relay-key.pem"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
