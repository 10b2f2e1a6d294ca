//! Writes the committed seed corpora, `corpus/<target>/<seed>`, from the
//! real encoders, keys and state machines, and checks that each seed does
//! what its name says (an introduction is verified or not for the stated
//! reason, a script reaches a running session, and so on):
//!
//! ```sh
//! cd tests/fuzz && cargo run --example write_seeds
//! ```
//!
//! Each corpus it writes is replaced whole. Seeds signed with the fixed
//! keys of `tessera_fuzz::fixtures` come out the same every time; those
//! holding a PAKE message or confirmation differ (SPAKE2 is randomised).
//! `corpus/screen_updates` is written elsewhere and left alone.

mod audit;
mod authority;
mod clipboard;
mod files;
mod identity;
mod video;
mod wire;

use std::collections::BTreeMap;
use std::path::Path;

/// Seeds by target, by name.
#[derive(Default)]
pub struct Seeds(BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>);

impl Seeds {
    /// Adds a seed; names are unique within a target.
    pub fn add(&mut self, target: &'static str, name: &str, bytes: Vec<u8>) {
        let old = self.0.entry(target).or_default().insert(name.into(), bytes);
        assert!(old.is_none(), "two {target} seeds named {name}");
    }
}

fn main() -> std::io::Result<()> {
    let mut seeds = Seeds::default();
    identity::introduction(&mut seeds);
    identity::identity_files(&mut seeds);
    authority::agent_authority(&mut seeds);
    audit::audit_notes(&mut seeds);
    audit::audit_records(&mut seeds);
    audit::audit_recordings(&mut seeds);
    audit::audit_peer(&mut seeds);
    files::file_manifests(&mut seeds);
    files::file_streams(&mut seeds);
    wire::display_lists(&mut seeds);
    wire::peer_messages(&mut seeds);
    wire::relay_messages(&mut seeds);
    wire::pairing_mailbox(&mut seeds);
    wire::input_events(&mut seeds);
    wire::typed_text(&mut seeds);
    clipboard::clip_images(&mut seeds);
    video::vp9_packets(&mut seeds);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (target, files) in seeds.0 {
        let dir = root.join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        for (name, bytes) in &files {
            std::fs::write(dir.join(name), bytes)?;
        }
        println!("{target}: {} seeds", files.len());
    }
    Ok(())
}
