//! The tree and its proofs against published vectors: the leaves, roots,
//! subtree hashes and proofs of transparency-dev/merkle
//! (`testonly/constants.go`, `proof/verify_test.go`, Apache-2.0; values
//! computed by RFC 6962's definitions, so any correct implementation
//! agrees), their corruption probes, and every proof for small trees
//! made and checked both ways.

use tessera_audit::{
    consistency_proof, inclusion_proof, leaf_hash, root_of, verify_consistency, verify_inclusion,
    Frontier, Hash, ProofError, Since, EMPTY_ROOT,
};

fn h(hex: &str) -> Hash {
    let bytes = hex::decode(hex).expect("hex");
    bytes.try_into().expect("32 bytes")
}

/// The eight leaves' data.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Roots of the trees of 1 to 8 of those leaves.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// Perfect subtrees' roots by level: the leaves' hashes, then pairs, ...
const LEVEL0: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
];
const LEVEL1: [&str; 4] = [
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
];
const LEVEL2: [&str; 2] = [
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
];

/// Inclusion proofs: (leaf index, tree size, proof).
const INCLUSION: [(u64, u64, &[&str]); 4] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// Consistency proofs: (first size, second size, proof).
const CONSISTENCY: [(u64, u64, &[&str]); 4] = [
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// A hash that is nobody's.
const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

fn leaves() -> Vec<Hash> {
    LEAVES
        .iter()
        .map(|l| leaf_hash(&hex::decode(l).expect("hex")))
        .collect()
}

fn root(size: u64) -> Hash {
    match size {
        0 => EMPTY_ROOT,
        n => h(ROOTS[n as usize - 1]),
    }
}

fn hashes(proof: &[&str]) -> Vec<Hash> {
    proof.iter().map(|p| h(p)).collect()
}

#[test]
fn roots_and_frontiers_match_the_published_values() {
    let leaves = leaves();
    let level0: Vec<Hash> = LEVEL0.iter().map(|x| h(x)).collect();
    assert_eq!(leaves, level0, "leaf hashes");
    assert_eq!(root_of(&[]), EMPTY_ROOT);
    // The frontier after each append: the perfect subtrees, largest first.
    let (l1, l2) = (|i: usize| h(LEVEL1[i]), |i: usize| h(LEVEL2[i]));
    let frontiers: [Vec<Hash>; 9] = [
        vec![],
        vec![level0[0]],
        vec![l1(0)],
        vec![l1(0), level0[2]],
        vec![l2(0)],
        vec![l2(0), level0[4]],
        vec![l2(0), l1(2)],
        vec![l2(0), l1(2), level0[6]],
        vec![h(ROOTS[7])],
    ];
    let mut frontier = Frontier::new();
    for size in 0..=8u64 {
        assert_eq!(frontier.size(), size);
        assert_eq!(
            frontier.nodes(),
            frontiers[size as usize].as_slice(),
            "size {size}"
        );
        assert_eq!(frontier.root(), root(size), "frontier root, size {size}");
        assert_eq!(
            root_of(&leaves[..size as usize]),
            root(size),
            "MTH, size {size}"
        );
        if let Some(leaf) = leaves.get(size as usize) {
            frontier.append(*leaf);
        }
    }
}

#[test]
fn published_inclusion_proofs_are_made_and_checked() {
    let leaves = leaves();
    for (index, size, proof) in INCLUSION {
        let proof = hashes(proof);
        let tree = &leaves[..size as usize];
        assert_eq!(inclusion_proof(tree, index, size), Ok(proof.clone()));
        let leaf = leaves[index as usize];
        assert_eq!(
            verify_inclusion(index, size, &leaf, &proof, &root(size)),
            Ok(())
        );
        for (what, probe) in corrupt_inclusion(index, size, &proof, &leaf) {
            assert!(
                verify_inclusion(probe.0, probe.1, &probe.2, &probe.3, &probe.4).is_err(),
                "{index}/{size}: {what} passed"
            );
        }
    }
}

type InclusionProbe = (u64, u64, Hash, Vec<Hash>, Hash);

/// Every way transparency-dev's tests spoil an inclusion proof.
fn corrupt_inclusion(
    index: u64,
    size: u64,
    proof: &[Hash],
    leaf: &Hash,
) -> Vec<(String, InclusionProbe)> {
    let root = root(size);
    let some = h(SOME_HASH);
    let p = proof.to_vec();
    let with = |v: Vec<Hash>| v;
    let mut probes: Vec<(String, InclusionProbe)> = vec![
        (
            "index + 1".into(),
            (index + 1, size, *leaf, p.clone(), root),
        ),
        (
            "index ^ 2".into(),
            (index ^ 2, size, *leaf, p.clone(), root),
        ),
        ("size * 2".into(), (index, size * 2, *leaf, p.clone(), root)),
        ("size / 2".into(), (index, size / 2, *leaf, p.clone(), root)),
        ("wrong leaf".into(), (index, size, some, p.clone(), root)),
        (
            "empty root".into(),
            (index, size, *leaf, p.clone(), EMPTY_ROOT),
        ),
        ("random root".into(), (index, size, *leaf, p.clone(), some)),
        (
            "trailing root".into(),
            (
                index,
                size,
                *leaf,
                with([p.clone(), vec![root]].concat()),
                root,
            ),
        ),
        (
            "preceding root".into(),
            (
                index,
                size,
                *leaf,
                with([vec![root], p.clone()].concat()),
                root,
            ),
        ),
    ];
    if index > 0 {
        probes.push((
            "index - 1".into(),
            (index - 1, size, *leaf, p.clone(), root),
        ));
    }
    for i in 0..p.len() {
        let mut flipped = p.clone();
        flipped[i][0] ^= 8;
        probes.push((
            format!("proof[{i}] bit 3"),
            (index, size, *leaf, flipped, root),
        ));
    }
    if let Some((_, shorter)) = p.split_last() {
        probes.push((
            "removed".into(),
            (index, size, *leaf, shorter.to_vec(), root),
        ));
    }
    if p.len() > 1 {
        let inserted = [&p[..1], &[some], &p[1..]].concat();
        probes.push(("inserted".into(), (index, size, *leaf, inserted, root)));
    }
    probes
}

/// What is wrong, the two sizes, the two roots, the proof.
type ConsistencyProbe = (&'static str, u64, u64, Hash, Hash, Vec<Hash>);

#[test]
fn published_consistency_proofs_are_made_and_checked() {
    let leaves = leaves();
    for (first, second, proof) in CONSISTENCY {
        let proof = hashes(proof);
        let tree = &leaves[..second as usize];
        assert_eq!(consistency_proof(tree, first, second), Ok(proof.clone()));
        let (r1, r2) = (root(first), root(second));
        assert_eq!(verify_consistency(first, second, &r1, &r2, &proof), Ok(()));
        let some = h(SOME_HASH);
        let p = proof.clone();
        let mut probes: Vec<ConsistencyProbe> = vec![
            ("first - 1", first - 1, second, r1, r2, p.clone()),
            ("first + 1", first + 1, second, r1, r2, p.clone()),
            ("first ^ 2", first ^ 2, second, r1, r2, p.clone()),
            ("second * 2", first, second * 2, r1, r2, p.clone()),
            ("second / 2", first, second / 2, r1, r2, p.clone()),
            ("wrong root 1", first, second, some, r2, p.clone()),
            ("wrong root 2", first, second, r1, some, p.clone()),
            ("swapped roots", first, second, r2, r1, p.clone()),
            ("empty proof", first, second, r1, r2, vec![]),
            (
                "trailing root 1",
                first,
                second,
                r1,
                r2,
                [p.clone(), vec![r1]].concat(),
            ),
            (
                "trailing root 2",
                first,
                second,
                r1,
                r2,
                [p.clone(), vec![r2]].concat(),
            ),
            (
                "preceding root 1",
                first,
                second,
                r1,
                r2,
                [vec![r1], p.clone()].concat(),
            ),
            (
                "preceding root 2",
                first,
                second,
                r1,
                r2,
                [vec![r2], p.clone()].concat(),
            ),
            (
                "preceding proof[0]",
                first,
                second,
                r1,
                r2,
                [vec![p[0]], p.clone()].concat(),
            ),
            (
                "truncated",
                first,
                second,
                r1,
                r2,
                p[..p.len() - 1].to_vec(),
            ),
        ];
        for i in 0..p.len() {
            let mut flipped = p.clone();
            flipped[i][0] ^= 16;
            probes.push(("a flipped bit", first, second, r1, r2, flipped));
        }
        for (what, f, s, a, b, bad) in probes {
            assert!(
                verify_consistency(f, s, &a, &b, &bad).is_err(),
                "{first}->{second}: {what} passed"
            );
        }
    }
}

#[test]
fn edge_cases_of_consistency() {
    let (a, b) = (h(SOME_HASH), EMPTY_ROOT);
    // Always consistent: from nothing, and a tree with itself.
    assert_eq!(verify_consistency(0, 0, &a, &a, &[]), Ok(()));
    assert_eq!(verify_consistency(0, 1, &a, &b, &[]), Ok(()));
    assert_eq!(verify_consistency(1, 1, &b, &b, &[]), Ok(()));
    // The same size with other roots, going back, a proof where none is due.
    assert_eq!(
        verify_consistency(1, 1, &a, &b, &[]),
        Err(ProofError::RootMismatch)
    );
    assert!(matches!(
        verify_consistency(2, 1, &a, &b, &[]),
        Err(ProofError::SizesOutOfOrder { .. })
    ));
    assert_eq!(
        verify_consistency(1, 2, &a, &b, &[]),
        Err(ProofError::TooShort)
    );
    assert_eq!(
        verify_consistency(0, 1, &b, &b, &[b]),
        Err(ProofError::TooLong)
    );
    assert_eq!(
        verify_consistency(1, 1, &b, &b, &[b]),
        Err(ProofError::TooLong)
    );
    // Inclusion outside the tree.
    for (index, size) in [(0, 0), (1, 0), (2, 1)] {
        assert!(matches!(
            verify_inclusion(index, size, &a, &[], &b),
            Err(ProofError::IndexOutOfRange { .. })
        ));
    }
    // A one-leaf tree: the leaf is the root, the proof empty.
    assert_eq!(verify_inclusion(0, 1, &a, &[], &a), Ok(()));
    assert_eq!(
        verify_inclusion(0, 1, &a, &[], &b),
        Err(ProofError::RootMismatch)
    );
}

#[test]
fn every_proof_of_small_trees_holds_and_a_writer_can_make_them() {
    let leaves: Vec<Hash> = (0u32..70).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let roots: Vec<Hash> = (0..=leaves.len()).map(|n| root_of(&leaves[..n])).collect();
    let mut frontier = Frontier::new();
    for (n, leaf) in leaves.iter().enumerate() {
        assert_eq!(frontier.root(), roots[n]);
        frontier.append(*leaf);
    }
    for second in 1..=leaves.len() as u64 {
        let tree = &leaves[..second as usize];
        let r2 = roots[second as usize];
        for index in 0..second {
            let proof = inclusion_proof(tree, index, second).expect("proof");
            let leaf = leaves[index as usize];
            assert_eq!(verify_inclusion(index, second, &leaf, &proof, &r2), Ok(()));
        }
        let mut base = Frontier::new();
        for first in 0..=second {
            let proof = consistency_proof(tree, first, second).expect("proof");
            let r1 = roots[first as usize];
            assert_eq!(
                verify_consistency(first, second, &r1, &r2, &proof),
                Ok(()),
                "{first} -> {second}"
            );
            let writer = Since {
                base: &base,
                leaves: &leaves[first as usize..second as usize],
            };
            assert_eq!(
                consistency_proof(&writer, first, second),
                Ok(proof),
                "a writer's proof {first} -> {second}"
            );
            if let Some(leaf) = leaves.get(first as usize) {
                base.append(*leaf);
            }
        }
    }
}

#[test]
fn frontier_and_full_tree_agree_for_hundreds_of_leaves() {
    let mut frontier = Frontier::new();
    let mut all = Vec::new();
    for i in 0u32..300 {
        let leaf = leaf_hash(&i.to_le_bytes());
        frontier.append(leaf);
        all.push(leaf);
        assert_eq!(frontier.root(), root_of(&all), "{} leaves", all.len());
        assert_eq!(frontier.nodes().len() as u32, (i + 1).count_ones());
    }
}
