//! Inclusion and consistency proofs: made as RFC 6962 section 2.1.1 and
//! 2.1.2 define them, over any source of subtree hashes (all the leaves
//! for a verifier, or a writer's frontier and the leaves since), and
//! checked as RFC 9162 sections 2.1.3.2 and 2.1.4.2 say.

use crate::merkle::{node_hash, root_of, split, Frontier, Hash};

/// Why a proof could not be made or does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf is not in the tree.
    #[error("leaf {index} is not in a tree of {size} leaves")]
    IndexOutOfRange {
        /// The leaf's index.
        index: u64,
        /// The tree's size.
        size: u64,
    },
    /// A consistency proof from a larger tree to a smaller one.
    #[error("a tree of {second} leaves cannot extend one of {first}")]
    SizesOutOfOrder {
        /// The earlier tree's size.
        first: u64,
        /// The later tree's size.
        second: u64,
    },
    /// The proof ends before the tree's top.
    #[error("the proof is too short for these sizes")]
    TooShort,
    /// The proof goes on past the tree's top.
    #[error("the proof is too long for these sizes")]
    TooLong,
    /// The proof leads to another root.
    #[error("the proof leads to another root")]
    RootMismatch,
    /// The source of hashes does not hold these leaves.
    #[error("leaves {start}..{end} are not known here")]
    Unknown {
        /// First leaf.
        start: u64,
        /// One past the last leaf.
        end: u64,
    },
}

/// Where proofs get their hashes: the Merkle tree hash of any range of
/// leaves a proof needs (ranges RFC 6962's splits produce).
pub trait Subtrees {
    /// MTH of leaves `start..end` (`start < end`).
    fn subtree(&self, start: u64, end: u64) -> Result<Hash, ProofError>;
}

/// All the leaf hashes, in order: a verifier's view.
impl Subtrees for [Hash] {
    fn subtree(&self, start: u64, end: u64) -> Result<Hash, ProofError> {
        let unknown = ProofError::Unknown { start, end };
        let (Ok(s), Ok(e)) = (usize::try_from(start), usize::try_from(end)) else {
            return Err(unknown);
        };
        match s < e {
            true => self.get(s..e).map(root_of).ok_or(unknown),
            false => Err(unknown),
        }
    }
}

/// A writer's view: its frontier at an earlier size (`base`) and every
/// leaf since. That is all a consistency proof from `base` needs: the
/// subtrees it names below `base` are the frontier's own nodes.
#[derive(Clone, Copy, Debug)]
pub struct Since<'a> {
    /// The tree as it was.
    pub base: &'a Frontier,
    /// The leaves appended after it.
    pub leaves: &'a [Hash],
}

impl Subtrees for Since<'_> {
    fn subtree(&self, start: u64, end: u64) -> Result<Hash, ProofError> {
        let base = self.base.size();
        if start >= base {
            return self.leaves.subtree(start - base, end - base);
        }
        // A perfect subtree of the first `base` leaves is one of the
        // frontier's nodes, whose sizes are the bits set in `base`.
        let bits = (0..64)
            .rev()
            .map(|b| 1u64 << b)
            .filter(|bit| base & bit != 0);
        let mut at = 0;
        for (node, bit) in self.base.nodes().iter().zip(bits) {
            if (at, at + bit) == (start, end) {
                return Ok(*node);
            }
            at += bit;
        }
        Err(ProofError::Unknown { start, end })
    }
}

/// The inclusion proof of leaf `index` in the tree of the first `size`
/// leaves: the sibling hashes from the leaf up (RFC 6962 PATH).
pub fn inclusion_proof<T: Subtrees + ?Sized>(
    tree: &T,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut out = Vec::new();
    path(tree, index, 0, size, &mut out)?;
    Ok(out)
}

/// PATH(m, D[start..end]), bottom up.
fn path<T: Subtrees + ?Sized>(
    tree: &T,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path(tree, m, start, start + k, out)?;
        out.push(tree.subtree(start + k, end)?);
    } else {
        path(tree, m - k, start + k, end, out)?;
        out.push(tree.subtree(start, start + k)?);
    }
    Ok(())
}

/// The proof that the tree of the first `second` leaves extends the tree
/// of the first `first` (RFC 6962 PROOF); empty when `first` is 0 or
/// equals `second`.
pub fn consistency_proof<T: Subtrees + ?Sized>(
    tree: &T,
    first: u64,
    second: u64,
) -> Result<Vec<Hash>, ProofError> {
    if first > second {
        return Err(ProofError::SizesOutOfOrder { first, second });
    }
    let mut out = Vec::new();
    if first > 0 && first < second {
        subproof(tree, first, 0, second, true, &mut out)?;
    }
    Ok(out)
}

/// SUBPROOF(m, D[start..end], complete), for `0 < m ≤ end - start`.
fn subproof<T: Subtrees + ?Sized>(
    tree: &T,
    m: u64,
    start: u64,
    end: u64,
    complete: bool,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    let n = end - start;
    if m == n {
        if !complete {
            out.push(tree.subtree(start, end)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(tree, m, start, start + k, complete, out)?;
        out.push(tree.subtree(start + k, end)?);
    } else {
        subproof(tree, m - k, start + k, end, false, out)?;
        out.push(tree.subtree(start, start + k)?);
    }
    Ok(())
}

/// Right-shifts both until `fn_` is odd or zero.
fn shift_to_odd(fn_: &mut u64, sn: &mut u64) {
    while *fn_ & 1 == 0 && *fn_ != 0 {
        *fn_ >>= 1;
        *sn >>= 1;
    }
}

/// Checks that `leaf` (a leaf hash) is leaf `index` of the tree of `size`
/// leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::TooLong);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            shift_to_odd(&mut fn_, &mut sn);
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::TooShort);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `second` leaves with root `second_root`
/// extends the tree of `first` leaves with root `first_root`.
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::SizesOutOfOrder { first, second });
    }
    if first == second || first == 0 {
        if !proof.is_empty() {
            return Err(ProofError::TooLong);
        }
        return match first == 0 || first_root == second_root {
            true => Ok(()),
            false => Err(ProofError::RootMismatch),
        };
    }
    let (start, rest) = match (first.is_power_of_two(), proof.split_first()) {
        (true, _) => (first_root, proof),
        (false, Some((start, rest))) => (start, rest),
        (false, None) => return Err(ProofError::TooShort),
    };
    if proof.is_empty() {
        return Err(ProofError::TooShort);
    }
    let (mut fn_, mut sn) = (first - 1, second - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*start, *start);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::TooLong);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            shift_to_odd(&mut fn_, &mut sn);
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::TooShort);
    }
    if fr != *first_root || sr != *second_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
