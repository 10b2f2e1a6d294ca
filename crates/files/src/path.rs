//! The receiver's rules for a path a sender names. A path is relative,
//! `/`-separated, and every component is a plain name that any of the
//! systems Tessera runs beside could hold: no `..`, nothing absolute, no
//! drive letter or stream (`:`), no control, invisible or
//! direction-changing characters, none of Windows' reserved names or
//! characters, no trailing dot or space. Names are normalised to Unicode
//! NFC, so one name has one spelling; collisions (the same name twice,
//! or two names that differ only by case, which a case-insensitive disk
//! would merge) are the manifest's to catch ([`crate::manifest`]).
//!
//! Passing these rules is not what keeps bytes inside the folder: the
//! receive folder opens every path through a rooted directory handle
//! ([`crate::receive`]). The rules refuse early, with a reason a person
//! can read, what a rooted handle would also refuse, and what it would
//! accept but a person should never receive (a file named `CON`, or
//! `invoice.pdf\u{202E}exe.txt`).

use tessera_proto::files::MAX_PATH_BYTES;
use unicode_normalization::UnicodeNormalization;

/// Longest name of one component, in bytes: what file systems hold
/// (255) less what the receive folder adds for its temporary name
/// (`.NAME.tessera-part`, 14 bytes) and a numbered one (` (999)`, 6).
pub const MAX_NAME_BYTES: usize = 235;
/// What the receive folder's temporary names end with: no name a sender
/// gives may, so no file can take or be taken for another's temporary.
pub const RESERVED_SUFFIX: &str = ".tessera-part";
/// Deepest a path may go, in components.
pub const MAX_DEPTH: usize = 32;

/// A path that passed every rule: NFC, relative, plain components.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SafePath {
    components: Vec<String>,
}

/// Why a path was refused; each names what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Nothing at all.
    #[error("the path is empty")]
    Empty,
    /// Longer than [`MAX_PATH_BYTES`].
    #[error("the path is {0} bytes long, the limit is {MAX_PATH_BYTES}")]
    TooLong(usize),
    /// Deeper than [`MAX_DEPTH`].
    #[error("the path is {0} folders deep, the limit is {MAX_DEPTH}")]
    TooDeep(usize),
    /// Starts at a root (`/etc/passwd`).
    #[error("the path is absolute")]
    Absolute,
    /// An empty component (`a//b`, a trailing `/`).
    #[error("the path has an empty name in it")]
    EmptyName,
    /// `.` or `..`.
    #[error("the path goes up or stays with {0:?}")]
    Dots(&'static str),
    /// A backslash: a Windows separator, or a name no Windows can hold.
    #[error("the path has a backslash")]
    Backslash,
    /// A colon: a drive letter (`C:`) or a Windows stream (`a:b`).
    #[error("the path has a colon (a drive letter or a stream)")]
    Colon,
    /// A control character (a line feed, an escape, NUL).
    #[error("the path has control characters")]
    Control,
    /// An invisible or direction-changing character.
    #[error("the path has invisible or text-direction characters")]
    Invisible,
    /// A character Windows refuses in names (`<>"|?*`).
    #[error("the path has the character {0:?}, which Windows refuses")]
    Reserved(char),
    /// A name Windows keeps for devices (`CON`, `nul.txt`, `COM1`).
    #[error("the name {0:?} is a Windows device name")]
    DeviceName(String),
    /// A name ending in a dot or a space (Windows drops them, so two
    /// names would become one).
    #[error("the name {0:?} ends in a dot or a space")]
    TrailingDotOrSpace(String),
    /// One name longer than [`MAX_NAME_BYTES`].
    #[error("a name is {0} bytes long, the limit is {MAX_NAME_BYTES}")]
    NameTooLong(usize),
    /// A name ending like the receive folder's temporary files.
    #[error(
        "the name {0:?} ends in {RESERVED_SUFFIX}, which Tessera keeps for files being received"
    )]
    ReservedSuffix(String),
}

impl SafePath {
    /// Checks `path` as a sender wrote it; the NFC form that passed.
    pub fn parse(path: &str) -> Result<SafePath, PathError> {
        if path.is_empty() {
            return Err(PathError::Empty);
        }
        if path.len() > MAX_PATH_BYTES {
            return Err(PathError::TooLong(path.len()));
        }
        if path.starts_with('/') {
            return Err(PathError::Absolute);
        }
        let normal: String = path.nfc().collect();
        // NFC can lengthen a path (U+FB2C: 3 bytes to 6).
        if normal.len() > MAX_PATH_BYTES {
            return Err(PathError::TooLong(normal.len()));
        }
        let components: Vec<&str> = normal.split('/').collect();
        if components.len() > MAX_DEPTH {
            return Err(PathError::TooDeep(components.len()));
        }
        let components = components
            .into_iter()
            .map(|name| check_name(name).map(|()| name.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SafePath { components })
    }

    /// The plain names, outermost first.
    pub fn components(&self) -> &[String] {
        &self.components
    }

    /// The last name: the file's or the folder's own.
    pub fn name(&self) -> &str {
        self.components.last().map_or("", String::as_str)
    }

    /// The folders it sits in, outermost first.
    pub fn parents(&self) -> &[String] {
        &self.components[..self.components.len().saturating_sub(1)]
    }

    /// The same path as a case-insensitive disk compares it: what two
    /// entries may not share. Upper then lower case, then NFC, so the
    /// letters one case maps together fold alike (`ß` and `ss`, `ſ` and
    /// `s`, `ς` and `σ`, `ı` and `i`): it refuses a little more than a
    /// given disk would, never less.
    pub fn folded(&self) -> String {
        fold(&self.to_string())
    }
}

impl std::fmt::Display for SafePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.components.join("/"))
    }
}

/// `text` as [`SafePath::folded`] compares it.
pub fn fold(text: &str) -> String {
    text.to_uppercase().to_lowercase().nfc().collect()
}

/// The rules for one component.
fn check_name(name: &str) -> Result<(), PathError> {
    match name {
        "" => return Err(PathError::EmptyName),
        "." => return Err(PathError::Dots(".")),
        ".." => return Err(PathError::Dots("..")),
        _ => {}
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(PathError::NameTooLong(name.len()));
    }
    for c in name.chars() {
        match c {
            '\\' => return Err(PathError::Backslash),
            ':' => return Err(PathError::Colon),
            '<' | '>' | '"' | '|' | '?' | '*' => return Err(PathError::Reserved(c)),
            c if c.is_control() => return Err(PathError::Control),
            c if tessera_proto::peer::is_invisible(c) => return Err(PathError::Invisible),
            _ => {}
        }
    }
    if fold(name).ends_with(RESERVED_SUFFIX) {
        return Err(PathError::ReservedSuffix(name.into()));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Err(PathError::TrailingDotOrSpace(name.into()));
    }
    if is_device_name(name) {
        return Err(PathError::DeviceName(name.into()));
    }
    Ok(())
}

/// Whether Windows takes `name` for a device, whatever follows the first
/// dot (`CON`, `con.txt`, `COM1.tar.gz`, `LPT²`).
fn is_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            // By characters: a name in any script must not split inside one.
            let mut chars = upper.chars();
            let head: String = chars.by_ref().take(3).collect();
            let tail: String = chars.collect();
            matches!(head.as_str(), "COM" | "LPT")
                && matches!(
                    tail.as_str(),
                    "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
                )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(path: &str) -> PathError {
        SafePath::parse(path).expect_err(path)
    }

    #[test]
    fn plain_relative_paths_pass_in_nfc() {
        let p = SafePath::parse("Rapports/2026/facture n°12.pdf").expect("plain");
        assert_eq!(p.name(), "facture n°12.pdf");
        assert_eq!(p.parents(), ["Rapports", "2026"]);
        // "é" as e + combining acute becomes the one-character form.
        let decomposed = SafePath::parse("cafe\u{301}.txt").expect("valid");
        assert_eq!(decomposed.to_string(), "caf\u{e9}.txt");
        assert_eq!(
            SafePath::parse("Caf\u{e9}.TXT").expect("valid").folded(),
            decomposed.folded()
        );
        // Letters that one case maps together fold alike.
        for (a, b) in [
            ("stra\u{df}e", "STRASSE"),
            ("\u{17f}", "s"),
            ("\u{3c2}", "\u{3c3}"),
            ("\u{131}", "i"),
        ] {
            let fold = |p: &str| SafePath::parse(p).expect("valid").folded();
            assert_eq!(fold(a), fold(b), "{a} {b}");
        }
        assert!(
            SafePath::parse(".config").is_ok(),
            "a leading dot is a name"
        );
        // Found by the file_manifests fuzz target: a name in Cyrillic
        // panicked the device-name check (a byte split inside a letter).
        for name in ["Документы/報告/تقرير.txt", "ДОК", "Éé", "日本語"] {
            assert!(SafePath::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn every_escape_and_trick_is_refused_by_name() {
        assert_eq!(refused(""), PathError::Empty);
        assert_eq!(refused("/etc/passwd"), PathError::Absolute);
        assert_eq!(refused("../.ssh/authorized_keys"), PathError::Dots(".."));
        assert_eq!(refused("a/../../b"), PathError::Dots(".."));
        assert_eq!(refused("./a"), PathError::Dots("."));
        assert_eq!(refused("a//b"), PathError::EmptyName);
        assert_eq!(refused("a/"), PathError::EmptyName);
        assert_eq!(refused("..\\Windows\\x"), PathError::Backslash);
        assert_eq!(refused("C:/Windows"), PathError::Colon);
        assert_eq!(refused("file.txt:stream"), PathError::Colon);
        assert_eq!(refused("bad\nname"), PathError::Control);
        assert_eq!(refused("a\u{1b}[2Jb"), PathError::Control);
        assert_eq!(refused("nul\u{0}byte"), PathError::Control);
        assert_eq!(refused("invoice\u{202e}fdp.exe"), PathError::Invisible);
        assert_eq!(refused("what?"), PathError::Reserved('?'));
        assert_eq!(refused("dir/CON"), PathError::DeviceName("CON".into()));
        assert_eq!(refused("nul.txt"), PathError::DeviceName("nul.txt".into()));
        assert_eq!(
            refused("com1.tar.gz"),
            PathError::DeviceName("com1.tar.gz".into())
        );
        assert_eq!(
            refused("LPT\u{b2}"),
            PathError::DeviceName("LPT\u{b2}".into())
        );
        assert_eq!(
            refused("notes."),
            PathError::TrailingDotOrSpace("notes.".into())
        );
        assert_eq!(
            refused("notes "),
            PathError::TrailingDotOrSpace("notes ".into())
        );
        assert_eq!(refused(&"n".repeat(236)), PathError::NameTooLong(236));
        assert!(SafePath::parse(&"n".repeat(235)).is_ok());
        assert_eq!(
            refused("a/.x.TESSERA-PART"),
            PathError::ReservedSuffix(".x.TESSERA-PART".into())
        );
        assert_eq!(
            refused("a/".repeat(40).trim_end_matches('/')),
            PathError::TooDeep(40)
        );
        assert_eq!(refused(&"a".repeat(2000)), PathError::TooLong(2000));
        // Near misses stay allowed.
        for fine in ["console.log", "COM10", "auxiliary", "a.b.c", "LPT"] {
            assert!(SafePath::parse(fine).is_ok(), "{fine}");
        }
    }
}
