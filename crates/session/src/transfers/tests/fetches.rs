//! Fetches: a question to the person, and what a fetch may bring.

use super::*;

#[test]
fn a_fetch_is_a_question_and_only_a_yes_walks() {
    let mut agent = Transfers::new(End::Agent);
    let fetch = |id| FileMsg::Fetch {
        id,
        path: "~/rapport.txt".into(),
    };
    let out = step(|o| agent.from_peer(fetch(0), true, o).expect("new"));
    assert_eq!(
        out,
        [FileStep::AskFetch {
            id: 0,
            path: "~/rapport.txt".into()
        }]
    );
    let out = step(|o| agent.fetch_answered(0, None, o));
    assert!(matches!(
        &out[0],
        FileStep::Peer(FileMsg::Cancel {
            id: 0,
            why: FileStop::Denied,
            ..
        })
    ));
    step(|o| agent.from_peer(fetch(2), true, o).expect("new"));
    let out = step(|o| agent.fetch_answered(2, Some("/home/m/rapport.txt".into()), o));
    assert_eq!(
        out,
        [FileStep::Order(FileOrder::Offer {
            id: 2,
            path: "/home/m/rapport.txt".into()
        })]
    );
    let out = step(|o| {
        agent.news(
            FileNews::Scanned {
                id: 2,
                pages: vec![page(2, &["rapport.txt"], true)],
                summary: summary(1),
            },
            o,
        )
    });
    assert!(matches!(
        &out[1],
        FileStep::Emit(SessionEvent::FileOffered {
            dir: Direction::ToViewer,
            ..
        })
    ));
    // The viewer: its fetch, then the agent's offer as its answer.
    let mut viewer = Transfers::new(End::Viewer);
    let out = step(|o| viewer.fetch("~/rapport.txt".into(), true, o));
    assert!(matches!(
        &out[0],
        FileStep::Peer(FileMsg::Fetch { id: 0, .. })
    ));
    let offer = FileMsg::Offer(Box::new(page(0, &["rapport.txt"], true)));
    let out = step(|o| viewer.from_peer(offer, true, o).expect("the answer"));
    assert!(matches!(
        &out[..],
        [FileStep::Order(FileOrder::Take { first: true, .. })]
    ));
    // A fetch answered with something else than was asked for.
    let out = step(|o| viewer.fetch("/home/m/rapport.txt".into(), true, o));
    let FileStep::Peer(FileMsg::Fetch { id, .. }) = out[0] else {
        panic!("{out:?}")
    };
    let mut other = page(id, &["id_rsa"], true);
    let offer = FileMsg::Offer(Box::new(other.clone()));
    let out = step(|o| {
        viewer
            .from_peer(offer, true, o)
            .expect("refused, not a violation")
    });
    assert!(
        matches!(
            &out[0],
            FileStep::Peer(FileMsg::Cancel {
                why: FileStop::Refused,
                ..
            })
        ),
        "{out:?}"
    );
    assert!(!out
        .iter()
        .any(|s| matches!(s, FileStep::Order(FileOrder::Take { .. }))));
    // What a fetch brings never runs by itself on the technician's side.
    let out = step(|o| viewer.fetch("~/outils".into(), true, o));
    let FileStep::Peer(FileMsg::Fetch { id, .. }) = out[0] else {
        panic!("{out:?}")
    };
    other.id = id;
    other.entries = vec![Entry {
        path: "outils/run.sh".into(),
        kind: EntryKind::File {
            size: 3,
            executable: true,
        },
    }];
    let out = step(|o| {
        viewer
            .from_peer(FileMsg::Offer(Box::new(other)), true, o)
            .expect("taken")
    });
    let [FileStep::Order(FileOrder::Take { page, .. })] = &out[..] else {
        panic!("{out:?}")
    };
    assert_eq!(
        page.entries[0].kind,
        EntryKind::File {
            size: 3,
            executable: false
        }
    );
    // A path the person could misread is not asked: relative, or with ..
    for (i, path) in ["rapport.txt", "~/Documents/../.ssh/id_rsa", "/home/./m"]
        .iter()
        .enumerate()
    {
        let out = step(|o| viewer.fetch((*path).into(), true, o));
        assert!(
            matches!(
                &out[0],
                FileStep::Emit(SessionEvent::FileFailed {
                    why: FileStop::Refused,
                    ..
                })
            ),
            "{path}"
        );
        let msg = FileMsg::Fetch {
            id: 1000 + 2 * i as u32,
            path: (*path).into(),
        };
        let out = step(|o| {
            agent
                .from_peer(msg, true, o)
                .expect("refused, not a violation")
        });
        assert!(
            matches!(
                &out[0],
                FileStep::Peer(FileMsg::Cancel {
                    why: FileStop::Refused,
                    ..
                })
            ),
            "{path}"
        );
    }
    // A path no person could read is not even sent.
    let out = step(|o| viewer.fetch("a\u{202e}b".into(), true, o));
    assert!(matches!(
        &out[0],
        FileStep::Emit(SessionEvent::FileFailed {
            why: FileStop::Refused,
            ..
        })
    ));
}
