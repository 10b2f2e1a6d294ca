//! Arbitrary bytes as what a sender's file streams carry to a receiver's
//! transfer over a real receive folder (`tessera_fuzz::file_streams`):
//! heads for any entry from any chunk, bytes, ends with the right hash or
//! another, resets and a cancel, in any order. Seeds are a whole honest
//! transfer and each way one goes wrong (a bad hash, too many bytes, a
//! second stream for a file, a reset then a resume, a cancel midway).
//!
//! After every step, the folder holds only the transfer's folders, its
//! temporary files and the files it kept, each exactly its size and the
//! hash its end gave; after a cancel, only the kept files.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let root = std::env::temp_dir().join(format!(
        "tessera-fuzz-file-streams-{}",
        std::process::id()
    ));
    tessera_fuzz::file_streams::run(&root, data);
});
