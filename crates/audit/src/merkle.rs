//! RFC 6962 Merkle tree hashing (section 2.1), and the frontier a log
//! writer keeps: the roots of the perfect subtrees the leaves so far make,
//! which is all it needs to compute the root after each append.

use ring::digest::{Context, SHA256};

/// A SHA-256 hash: a leaf's, a node's or a root's.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of nothing.
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

fn sha256(parts: &[&[u8]]) -> Hash {
    let mut context = Context::new(&SHA256);
    for part in parts {
        context.update(part);
    }
    let mut out = [0; 32];
    out.copy_from_slice(context.finish().as_ref());
    out
}

/// A leaf's hash: SHA-256 of 0x00 and the record's bytes (the prefix
/// keeps a leaf from passing for a node).
pub fn leaf_hash(record: &[u8]) -> Hash {
    sha256(&[&[0x00], record])
}

/// An inner node's hash: SHA-256 of 0x01 and its two children.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    sha256(&[&[0x01], left, right])
}

/// The largest power of two below `n` (`n` ≥ 2): where RFC 6962 splits
/// a tree of `n` leaves.
pub(crate) fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The Merkle tree hash of `leaves` (leaf hashes, in order): MTH of RFC
/// 6962. Linear in the number of leaves.
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => EMPTY_ROOT,
        [one] => *one,
        _ => {
            let k = split(leaves.len() as u64) as usize;
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// What a log writer keeps of its tree: the roots of the perfect subtrees
/// the leaves make, largest (leftmost) first, one for each bit set in the
/// number of leaves. At most 64 hashes whatever the log's length.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of an empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves appended.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect subtrees' roots, largest first.
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends a leaf (its hash): like adding one to a binary counter,
    /// equal subtrees merge.
    pub fn append(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut size = self.size;
        while size & 1 == 1 {
            // A set bit has its subtree on the stack.
            let Some(left) = self.nodes.pop() else {
                break;
            };
            hash = node_hash(&left, &hash);
            size >>= 1;
        }
        self.nodes.push(hash);
        self.size += 1;
    }

    /// The tree's root: the subtrees folded from the right, as RFC 6962's
    /// left-heavy split builds it.
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        let Some(last) = nodes.next() else {
            return EMPTY_ROOT;
        };
        nodes.fold(*last, |right, left| node_hash(left, &right))
    }
}
