//! Writes the decoded picture as a PNG, whole or not at all, and readable
//! by its owner only: it shows someone's screen.
//!
//! The image goes to a new temporary file beside the target, created
//! exclusively (`O_CREAT | O_EXCL`, which also refuses to follow a symbolic
//! link planted at its name) with mode 0600, flushed to disk, then renamed
//! into place, and the folder synced. A name already taken is skipped for the next one, so
//! nothing another local user put in the folder is ever written through.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use tessera_screen::Frame;

/// Who may read a snapshot: its owner.
const SNAPSHOT_MODE: u32 = 0o600;

/// How many temporary names are tried before giving up: each one taken
/// (by a stale file, another snapshot under way, or a planted link) moves
/// on to the next.
const MAX_ATTEMPTS: u32 = 64;

/// Writes `frame` (BGRX) to `path` as an 8-bit RGB PNG of mode 0600.
pub fn write_png(frame: &Frame, path: &Path) -> Result<(), String> {
    let fail =
        |e: &dyn std::fmt::Display| format!("cannot write the snapshot {}: {e}", path.display());
    let rgb: Vec<u8> = frame
        .pixels()
        .chunks_exact(4)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect();
    let (tmp, file) = create_temporary(path).map_err(|e| fail(&e))?;
    let written = encode(&file, frame.width(), frame.height(), &rgb)
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(&e));
    }
    crate::identity::sync_parent(path)
}

/// Encodes the picture into `file` and makes it durable before the rename.
fn encode(file: &File, width: u32, height: u32, rgb: &[u8]) -> Result<(), String> {
    let mut out = BufWriter::new(file);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    file.sync_all().map_err(|e| e.to_string())
}

/// The `attempt`-th temporary name for `path`: hidden, beside it (so the
/// rename stays on one file system), and distinct per process.
pub(crate) fn temporary_name(path: &Path, attempt: u32) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.{}.{attempt}.partial", std::process::id()))
}

/// Creates a new temporary file for `path`, exclusively and private.
fn create_temporary(path: &Path) -> std::io::Result<(PathBuf, File)> {
    for attempt in 0..MAX_ATTEMPTS {
        let tmp = temporary_name(path, attempt);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(SNAPSHOT_MODE)
            .open(&tmp)
        {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        ErrorKind::AlreadyExists,
        format!("{MAX_ATTEMPTS} temporary names beside it are taken"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tessera-snap-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }

    #[test]
    fn a_snapshot_is_private_and_never_written_through_a_planted_link() {
        // The usual umask, which leaves new files readable by everyone.
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
        let dir = scratch("link");
        let path = dir.join("shot.png");
        // Another local user's links at every name the viewer used or
        // uses first, pointing at a file they hope to read or spoil.
        let victim = dir.join("victim");
        std::fs::write(&victim, "untouched").expect("victim");
        let planted = [path.with_extension("png.partial"), temporary_name(&path, 0)];
        for link in &planted {
            std::os::unix::fs::symlink(&victim, link).expect("plant link");
        }
        let frame = Frame::from_pixels(4, 2, vec![0x40; 4 * 4 * 2]).expect("frame");
        write_png(&frame, &path).expect("written");

        assert_eq!(
            std::fs::read(&victim).expect("victim"),
            b"untouched",
            "the snapshot was written through a planted link"
        );
        for link in &planted {
            let meta = std::fs::symlink_metadata(link).expect("still there");
            assert!(meta.file_type().is_symlink(), "{} replaced", link.display());
        }
        let meta = std::fs::symlink_metadata(&path).expect("snapshot");
        assert!(meta.file_type().is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let decoder = png::Decoder::new(std::io::BufReader::new(File::open(&path).expect("png")));
        let info = decoder.read_info().expect("a whole PNG").info().clone();
        assert_eq!((info.width, info.height), (4, 2));
        // Only the planted links and the snapshot: no temporary left.
        assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 4);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
