//! What the connect screen remembers between sessions: the relay and how
//! to trust it, the identity file or name, and what is usually asked.
//! Never the code. Kept in `$XDG_CONFIG_HOME/tessera/viewer.json` (or
//! `~/.config/...`), private, replaced whole; a damaged file is reported
//! and the form starts from the defaults.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tessera_net::small_file::read_small;
use tessera_net::trust::RelayTrust;

/// Larger than any settings file this version writes.
const MAX_SETTINGS_BYTES: usize = 16 * 1024;

/// The connect form's remembered fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The relay, `HOST:PORT`.
    pub relay: String,
    /// Its certificate's fingerprint, when pinned (empty: trust on first
    /// use, recorded in the known-relays file).
    pub relay_fingerprint: String,
    /// The identity file (empty: none, the name is shown unverified).
    pub identity: String,
    /// The name shown without an identity file.
    pub name: String,
    /// The organisation shown without an identity file.
    pub org: String,
    /// What is asked for, as permission names.
    pub request: Vec<String>,
    /// Where session records are kept (empty: the data folder).
    pub record_dir: String,
    /// Where fetched files land (empty: Downloads/Tessera).
    pub receive_dir: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            relay: "127.0.0.1:7700".into(),
            relay_fingerprint: String::new(),
            identity: String::new(),
            record_dir: String::new(),
            receive_dir: String::new(),
            name: std::env::var("USER").unwrap_or_default(),
            org: String::new(),
            request: ["view", "control", "chat"].map(String::from).to_vec(),
        }
    }
}

impl Settings {
    /// Where they live.
    pub fn default_path() -> PathBuf {
        RelayTrust::default_known_relays().with_file_name("viewer.json")
    }

    /// Reads them; a missing file gives the defaults, a damaged one the
    /// defaults and a sentence saying so.
    pub fn load(path: &Path) -> (Settings, Option<String>) {
        match read_small(path, MAX_SETTINGS_BYTES) {
            Ok(text) => match serde_json::from_str(&text) {
                Ok(settings) => (settings, None),
                Err(e) => (
                    Settings::default(),
                    Some(format!(
                        "{} is damaged ({e}); starting from the defaults",
                        path.display()
                    )),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Settings::default(), None),
            Err(e) => (
                Settings::default(),
                Some(format!("cannot read {}: {e}", path.display())),
            ),
        }
    }

    /// Writes them whole (private), creating the folder if needed.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        crate::identity::replace(path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("tessera-settings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn saved_settings_come_back_private() {
        let path = dir("round").join("tessera").join("viewer.json");
        let settings = Settings {
            relay: "relay.example:7700".into(),
            relay_fingerprint: "ab".repeat(32),
            ..Settings::default()
        };
        settings.save(&path).expect("save");
        assert_eq!(Settings::load(&path), (settings, None));
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_missing_file_is_the_defaults_a_damaged_one_is_said() {
        let d = dir("damaged");
        assert_eq!(
            Settings::load(&d.join("none.json")),
            (Settings::default(), None)
        );
        std::fs::create_dir_all(&d).expect("dir");
        let path = d.join("viewer.json");
        std::fs::write(&path, b"{\"relay\": 7}").expect("write");
        let (settings, problem) = Settings::load(&path);
        assert_eq!(settings, Settings::default());
        assert!(problem.expect("said").contains("damaged"));
    }
}
