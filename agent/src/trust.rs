//! Loads the organisations this computer trusts to vouch for technicians:
//! the system's list, then the user's. A missing file is an empty list; a
//! malformed one stops the agent with the file and line to fix, so a typo
//! never silently turns verified technicians into unverified ones.

use std::path::{Path, PathBuf};
use tessera_net::small_file::read_small;
use tessera_secure::identity::{TrustStore, MAX_TRUST_FILE};

/// The system-wide list, managed by the machine's administrator.
pub const SYSTEM_TRUST_FILE: &str = "/etc/tessera/trusted-orgs";

/// The user's list: `$XDG_CONFIG_HOME/tessera/trusted-orgs` (an absolute
/// path, as the XDG specification requires), or
/// `~/.config/tessera/trusted-orgs`.
pub fn user_trust_file() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("tessera").join("trusted-orgs"))
}

fn load_one(path: &Path) -> Result<TrustStore, String> {
    match read_small(path, MAX_TRUST_FILE) {
        Ok(text) => TrustStore::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TrustStore::default()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// The system's list and the user's together.
pub fn load() -> Result<TrustStore, String> {
    let mut store = load_one(Path::new(SYSTEM_TRUST_FILE))?;
    if let Some(user) = user_trust_file() {
        store
            .extend(load_one(&user)?)
            .map_err(|e| format!("{}: {e}", user.display()))?;
    }
    Ok(store)
}
