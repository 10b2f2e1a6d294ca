//! Reads the small text files Tessera keeps (identities, keys, trust
//! lists) without trusting their size: at most a limit is read whatever
//! the file claims or becomes, a pipe or device is refused, and the text
//! is zeroized when dropped (it may hold a private key).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use zeroize::Zeroizing;

/// The text of the regular file at `path`, if it is at most `max` bytes.
pub fn read_small(path: &Path, max: usize) -> io::Result<Zeroizing<String>> {
    // Checked before opening too: opening a pipe would wait for a writer.
    if !std::fs::metadata(path)?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut text = Zeroizing::new(String::with_capacity(max.min(64 * 1024)));
    file.take(max as u64 + 1).read_to_string(&mut text)?;
    if text.len() > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than the {max}-byte limit"),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_fits_and_refuses_the_rest() {
        let dir = std::env::temp_dir().join(format!("tessera-small-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("f");
        std::fs::write(&path, "0123456789").expect("write");
        assert_eq!(read_small(&path, 10).expect("fits").as_str(), "0123456789");
        assert!(read_small(&path, 9).is_err());
        assert!(read_small(&dir, 100).is_err(), "a directory");
        assert!(read_small(Path::new("/dev/zero"), 100).is_err(), "a device");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
