//! C2SP checkpoints (<https://c2sp.org/tlog-checkpoint>): the signed
//! statement "the log named `origin` had `size` records whose tree root
//! was `root`". Its text is three lines: origin, size in decimal, root in
//! base64. Read strictly: no extension lines, no leading zeros.

use crate::merkle::Hash;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The longest origin read.
pub const MAX_ORIGIN_BYTES: usize = 256;

/// A log's size and root at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name, such as `tessera/<session id>/agent`.
    pub origin: String,
    /// How many records the tree holds.
    pub size: u64,
    /// Their tree's root.
    pub root: Hash,
}

/// Why a checkpoint's text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Not exactly three lines, each ending in a line feed.
    #[error("a checkpoint is three lines (origin, size, root)")]
    Lines,
    /// An empty or too long origin, or one with a control character.
    #[error("checkpoint origin is not valid")]
    Origin,
    /// Not a decimal number without leading zeros, or too large.
    #[error("checkpoint size {0:?} is not a number")]
    Size(String),
    /// Not 32 bytes in standard base64.
    #[error("checkpoint root is not a 32-byte hash in base64")]
    Root,
}

impl Checkpoint {
    /// The note text that is signed.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        )
    }

    /// Reads a checkpoint's note text.
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::Lines)?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin, size, root] = lines[..] else {
            return Err(CheckpointError::Lines);
        };
        if origin.is_empty()
            || origin.len() > MAX_ORIGIN_BYTES
            || origin.chars().any(char::is_control)
        {
            return Err(CheckpointError::Origin);
        }
        let number = size.bytes().all(|b| b.is_ascii_digit())
            && !size.is_empty()
            && (size == "0" || !size.starts_with('0'));
        let size = match number {
            true => size
                .parse()
                .map_err(|_| CheckpointError::Size(size.into()))?,
            false => return Err(CheckpointError::Size(size.into())),
        };
        let root = STANDARD.decode(root).map_err(|_| CheckpointError::Root)?;
        let root = root.try_into().map_err(|_| CheckpointError::Root)?;
        Ok(Checkpoint {
            origin: origin.into(),
            size,
            root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::EMPTY_ROOT;

    #[test]
    fn text_round_trips() {
        let c = Checkpoint {
            origin: "tessera/00112233445566778899aabbccddeeff/agent".into(),
            size: 42,
            root: EMPTY_ROOT,
        };
        assert_eq!(
            c.text(),
            "tessera/00112233445566778899aabbccddeeff/agent\n42\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        );
        assert_eq!(Checkpoint::parse(&c.text()), Ok(c));
    }

    #[test]
    fn strict_reading() {
        let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let cases = [
            (format!("o\n1\n{root}"), CheckpointError::Lines),
            (format!("o\n1\n{root}\nextension\n"), CheckpointError::Lines),
            (format!("\n1\n{root}\n"), CheckpointError::Origin),
            (
                format!("o\n01\n{root}\n"),
                CheckpointError::Size("01".into()),
            ),
            (
                format!("o\n-1\n{root}\n"),
                CheckpointError::Size("-1".into()),
            ),
            (
                format!("o\n\n{root}\n"),
                CheckpointError::Size(String::new()),
            ),
            (
                format!("o\n18446744073709551616\n{root}\n"),
                CheckpointError::Size("18446744073709551616".into()),
            ),
            ("o\n1\nAAAA\n".to_string(), CheckpointError::Root),
            ("o\n1\n!!!!\n".to_string(), CheckpointError::Root),
        ];
        for (text, why) in cases {
            assert_eq!(Checkpoint::parse(&text), Err(why), "{text:?}");
        }
        assert!(Checkpoint::parse(&format!("o\n0\n{root}\n")).is_ok());
    }
}
