//! The hashes a transfer is checked with: the SHA-256 of the whole file
//! (computed by the sender as it reads, by the receiver as it writes;
//! the file takes its name only when they are equal), and the SHA-256 of
//! each [`CHUNK_BYTES`] chunk, chained, which is how a resumed transfer
//! proves that the part already received is the sender's file and not
//! merely one of the same size and date.

use ring::digest::{Context, SHA256};
use tessera_proto::files::CHUNK_BYTES;

/// A chunk size as a `usize` for buffers.
pub const CHUNK: usize = CHUNK_BYTES as usize;

/// Hashes a file as its bytes go by, in any pieces: the whole file's
/// SHA-256 and the chain over its whole chunks.
#[derive(Clone)]
pub struct FileHasher {
    whole: Context,
    chunk: Context,
    in_chunk: u64,
    chain: Context,
    chunks: u64,
}

impl Default for FileHasher {
    fn default() -> Self {
        Self {
            whole: Context::new(&SHA256),
            chunk: Context::new(&SHA256),
            in_chunk: 0,
            chain: Context::new(&SHA256),
            chunks: 0,
        }
    }
}

impl FileHasher {
    /// A hasher at the start of a file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next bytes of the file.
    pub fn update(&mut self, mut bytes: &[u8]) {
        self.whole.update(bytes);
        while !bytes.is_empty() {
            let room = (CHUNK_BYTES - self.in_chunk) as usize;
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.chunk.update(now);
            self.in_chunk += now.len() as u64;
            bytes = rest;
            if self.in_chunk == CHUNK_BYTES {
                let done = std::mem::replace(&mut self.chunk, Context::new(&SHA256)).finish();
                self.chain.update(done.as_ref());
                self.chunks += 1;
                self.in_chunk = 0;
            }
        }
    }

    /// How many whole chunks went by.
    pub fn chunks(&self) -> u64 {
        self.chunks
    }

    /// The chain over the whole chunks so far.
    pub fn chain(&self) -> [u8; 32] {
        digest(self.chain.clone().finish())
    }

    /// The whole file's SHA-256 (of every byte so far).
    pub fn sha256(&self) -> [u8; 32] {
        digest(self.whole.clone().finish())
    }
}

fn digest(d: ring::digest::Digest) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// The chain a receiver holding nothing reports.
pub fn empty_chain() -> [u8; 32] {
    FileHasher::new().chain()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_do_not_change_the_hashes() {
        let data: Vec<u8> = (0..(CHUNK * 2 + 1000))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let mut one = FileHasher::new();
        one.update(&data);
        let mut many = FileHasher::new();
        for piece in data.chunks(4099) {
            many.update(piece);
        }
        assert_eq!(one.sha256(), many.sha256());
        assert_eq!(one.chain(), many.chain());
        assert_eq!(one.chunks(), 2);
        let whole = ring::digest::digest(&SHA256, &data);
        assert_eq!(one.sha256().as_slice(), whole.as_ref());
        // The chain is over the chunks' hashes, in order.
        let mut chain = Context::new(&SHA256);
        for chunk in data.chunks(CHUNK).take(2) {
            chain.update(ring::digest::digest(&SHA256, chunk).as_ref());
        }
        assert_eq!(one.chain().as_slice(), chain.finish().as_ref());
    }

    #[test]
    fn one_changed_byte_changes_the_chain() {
        let mut data = vec![0u8; CHUNK];
        let mut a = FileHasher::new();
        a.update(&data);
        data[CHUNK / 2] = 1;
        let mut b = FileHasher::new();
        b.update(&data);
        assert_ne!(a.chain(), b.chain());
        assert_ne!(a.chain(), empty_chain());
    }
}
