//! Where received files go when nobody says: the person's own downloads
//! folder, as their desktop names it (`Téléchargements` on a French
//! desktop, not `Downloads`), then `Tessera` inside it. The desktop's
//! name comes from `XDG_DOWNLOAD_DIR`, else from the `user-dirs.dirs` file
//! that `xdg-user-dirs` writes, else `~/Downloads`. Reading is the
//! caller's (an environment and a file's text in, a path out), so the
//! rules are tested without a desktop.

use std::path::{Path, PathBuf};

/// The folder inside the downloads folder that transfers land in.
pub const SUBFOLDER: &str = "Tessera";

/// The receive folder for a home folder `home`, given the
/// `XDG_DOWNLOAD_DIR` variable and the text of `user-dirs.dirs`, if any.
pub fn receive_dir(home: &Path, variable: Option<&str>, user_dirs: Option<&str>) -> PathBuf {
    let from_variable = variable.filter(|v| v.starts_with('/')).map(PathBuf::from);
    let from_file = || user_dirs.and_then(|text| download_dir(home, text));
    from_variable
        .or_else(from_file)
        .unwrap_or_else(|| home.join("Downloads"))
        .join(SUBFOLDER)
}

/// The `XDG_DOWNLOAD_DIR` line of a `user-dirs.dirs` file: a shell-style
/// assignment, `"$HOME/..."` or an absolute path in double quotes
/// (`\` escapes the next character). A folder that is the home folder
/// itself means "none" (as `xdg-user-dirs` writes it when disabled).
fn download_dir(home: &Path, text: &str) -> Option<PathBuf> {
    let value = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("XDG_DOWNLOAD_DIR=").map(str::trim))?;
    let quoted = value.strip_prefix('"')?.strip_suffix('"')?;
    let mut unescaped = String::with_capacity(quoted.len());
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => unescaped.extend(chars.next()),
            c => unescaped.push(c),
        }
    }
    let path = match unescaped.strip_prefix("$HOME") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        Some(_) => return None,
        None if unescaped.starts_with('/') => PathBuf::from(unescaped),
        None => return None,
    };
    (path != home).then_some(path)
}

/// The receive folder of the user running this program, from the
/// environment (`HOME`, `XDG_DOWNLOAD_DIR`, `XDG_CONFIG_HOME`) and the
/// `user-dirs.dirs` file, read bounded.
pub fn default_receive_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let variable = std::env::var("XDG_DOWNLOAD_DIR").ok();
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home.join(".config"));
    let user_dirs = std::fs::File::open(config.join("user-dirs.dirs"))
        .ok()
        .and_then(|file| {
            use std::io::Read;
            let mut text = String::new();
            file.take(64 * 1024).read_to_string(&mut text).ok()?;
            Some(text)
        });
    receive_dir(&home, variable.as_deref(), user_dirs.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: &str = "/home/marie";

    fn dir(variable: Option<&str>, file: Option<&str>) -> String {
        receive_dir(Path::new(HOME), variable, file)
            .display()
            .to_string()
    }

    #[test]
    fn the_desktops_own_name_for_downloads_is_used() {
        let french = "# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/Bureau\"\nXDG_DOWNLOAD_DIR=\"$HOME/T\u{e9}l\u{e9}chargements\"\n";
        assert_eq!(
            dir(None, Some(french)),
            "/home/marie/T\u{e9}l\u{e9}chargements/Tessera"
        );
        assert_eq!(
            dir(Some("/srv/depot"), Some(french)),
            "/srv/depot/Tessera",
            "the variable wins"
        );
        assert_eq!(
            dir(
                None,
                Some("XDG_DOWNLOAD_DIR=\"/data/Mes t\\\"l\u{e9}chargements\"")
            ),
            "/data/Mes t\"l\u{e9}chargements/Tessera"
        );
    }

    #[test]
    fn anything_odd_falls_back_to_downloads() {
        for file in [
            None,
            Some(""),
            Some("XDG_DOWNLOAD_DIR=\"$HOME\""),
            Some("XDG_DOWNLOAD_DIR=$HOME/unquoted"),
            Some("XDG_DOWNLOAD_DIR=\"relative/path\""),
            Some("XDG_DOWNLOAD_DIR=\"$HOMEBREW/x\""),
        ] {
            assert_eq!(dir(None, file), "/home/marie/Downloads/Tessera", "{file:?}");
        }
        assert_eq!(
            dir(Some("relative"), None),
            "/home/marie/Downloads/Tessera",
            "a relative variable is ignored"
        );
    }
}
