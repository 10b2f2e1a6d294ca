//! The agent machine's device key: it vouches for each session's record
//! key, so a person's records are tied to their computer. Made on first
//! use in the person's data folder, readable by them only, never sent.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use tessera_secure::identity::SigningKey;

/// `$XDG_DATA_HOME/tessera/device.key` or `~/.local/share/tessera/device.key`.
pub fn default_path() -> PathBuf {
    tessera_audit::files::default_record_dir()
        .parent()
        .map_or_else(|| PathBuf::from("device.key"), |d| d.join("device.key"))
}

/// Reads the device key at `path`, or makes it (whole or not at all).
pub fn load_or_create(path: &Path) -> Result<SigningKey, String> {
    match std::fs::read(path) {
        Ok(pkcs8) => {
            let pkcs8 = zeroize::Zeroizing::new(pkcs8);
            SigningKey::from_pkcs8(&pkcs8).map_err(|e| {
                format!(
                    "the device key {} is damaged ({e}): move it away and start again",
                    path.display()
                )
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(e) => Err(format!(
            "cannot read the device key {}: {e}",
            path.display()
        )),
    }
}

fn create(path: &Path) -> Result<SigningKey, String> {
    let failed =
        |e: std::io::Error| format!("cannot create the device key {}: {e}", path.display());
    let key = SigningKey::generate().map_err(|e| format!("cannot make a device key: {e}"))?;
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(failed)?;
    }
    // Written whole under a temporary name, then linked into place only
    // if no key is there yet: two agents starting at once on first use
    // end with the same key (the first one's), so no record is ever
    // certified by a key that was then replaced.
    match tessera_audit::files::write_new(path, key.pkcs8()) {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(path),
        Err(e) => Err(failed(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_starting_at_once_share_one_key() {
        let dir = std::env::temp_dir().join(format!("tessera-device-{}", std::process::id()));
        let path = dir.join("device.key");
        let keys: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || load_or_create(&path).expect("a key"))
            })
            .map(|t| t.join().expect("no panic").public())
            .collect();
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
        assert_eq!(
            load_or_create(&path).expect("read").public(),
            keys[0],
            "the key kept is the one every agent used"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
