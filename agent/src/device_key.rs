//! The agent machine's device key: it vouches for each session's record
//! key, so a person's records are tied to their computer. Made on first
//! use in the person's data folder, readable by them only, never sent.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
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
    // A temporary name of this process's own, then a rename: never half
    // a key, and two agents starting at once each end with a whole one.
    let temporary = path.with_extension(format!("key.{}.new", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(failed)?;
    file.write_all(key.pkcs8())
        .and_then(|()| file.sync_all())
        .map_err(failed)?;
    std::fs::rename(&temporary, path).map_err(failed)?;
    Ok(key)
}
