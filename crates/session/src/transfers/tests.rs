use super::*;
use tessera_proto::files::{Entry, EntryKind};

fn page(id: TransferId, names: &[&str], last: bool) -> ManifestPage {
    ManifestPage {
        id,
        entries: names
            .iter()
            .map(|n| Entry {
                path: (*n).into(),
                kind: EntryKind::File {
                    size: 3,
                    executable: false,
                },
            })
            .collect(),
        last,
    }
}

fn summary(files: u32) -> Summary {
    Summary {
        name: "logs".into(),
        files,
        bytes: 3 * files as u64,
        resumed: 0,
        left_out: vec![],
    }
}

fn step(f: impl FnOnce(&mut Vec<FileStep>)) -> Vec<FileStep> {
    let mut out = Vec::new();
    f(&mut out);
    out
}

fn emitted(steps: &[FileStep]) -> Vec<&SessionEvent> {
    steps
        .iter()
        .filter_map(|s| match s {
            FileStep::Emit(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[test]
fn a_send_goes_offer_accept_streams_confirmations_and_completes() {
    let mut t = Transfers::new(End::Viewer);
    let out = step(|o| t.send("/tmp/logs".into(), true, o));
    assert_eq!(
        out,
        [FileStep::Order(FileOrder::Offer {
            id: 0,
            path: "/tmp/logs".into()
        })]
    );
    let pages = vec![page(0, &["a"], false), page(0, &["b"], true)];
    let out = step(|o| {
        t.news(
            FileNews::Scanned {
                id: 0,
                pages: pages.clone(),
                summary: summary(2),
            },
            o,
        )
    });
    assert_eq!(out.len(), 3, "two pages and the event: {out:?}");
    assert!(matches!(
        &out[2],
        FileStep::Emit(SessionEvent::FileOffered {
            id: 0,
            dir: Direction::ToAgent,
            files: 2,
            ..
        })
    ));
    let accept = FileMsg::Accept {
        id: 0,
        resume: vec![],
    };
    let out = step(|o| t.from_peer(accept, true, o).expect("in order"));
    assert_eq!(
        out,
        [FileStep::Order(FileOrder::Send {
            id: 0,
            resume: vec![]
        })]
    );
    for entry in 0..2 {
        let done = FileMsg::Done {
            id: 0,
            entry,
            sha256: [7; 32],
        };
        let out = step(|o| t.from_peer(done, true, o).expect("in order"));
        assert_eq!(
            out,
            [FileStep::Order(FileOrder::Confirmed {
                id: 0,
                entry,
                sha256: [7; 32]
            })]
        );
        let kept = FileNews::Kept {
            id: 0,
            entry,
            name: "a".into(),
            bytes: 3,
            sha256: [7; 32],
            received: false,
        };
        let out = step(|o| t.news(kept, o));
        let events = emitted(&out);
        assert!(matches!(
            events[0],
            SessionEvent::FileDone {
                dir: Direction::ToAgent,
                ..
            }
        ));
        assert_eq!(
            events.len(),
            entry as usize + 1,
            "complete after the last: {out:?}"
        );
    }
    assert!(t.is_empty());
    // A second send takes the next even number.
    let out = step(|o| t.send("/tmp/x".into(), true, o));
    assert!(matches!(
        &out[0],
        FileStep::Order(FileOrder::Offer { id: 2, .. })
    ));
}

#[test]
fn without_the_grant_nothing_moves_on_either_end() {
    let mut viewer = Transfers::new(End::Viewer);
    let out = step(|o| viewer.send("/tmp/x".into(), false, o));
    assert_eq!(
        out,
        [FileStep::Emit(SessionEvent::Refused {
            permission: Permission::Files,
            reason: "not_granted"
        })]
    );
    let mut agent = Transfers::new(End::Agent);
    let offer = |last| FileMsg::Offer(Box::new(page(4, &["a"], last)));
    let out = step(|o| {
        agent
            .from_peer(offer(false), false, o)
            .expect("a refusal, not a violation")
    });
    assert!(matches!(
        &out[0],
        FileStep::Peer(FileMsg::Cancel {
            id: 4,
            why: FileStop::NotGranted,
            ..
        })
    ));
    assert!(
        !out.iter().any(|s| matches!(s, FileStep::Order(_))),
        "{out:?}"
    );
    // Its later pages are late, and ignored; a fetch too.
    assert_eq!(
        step(|o| agent.from_peer(offer(true), true, o).expect("late")),
        []
    );
    let fetch = FileMsg::Fetch {
        id: 6,
        path: "/etc/hosts".into(),
    };
    let out = step(|o| agent.from_peer(fetch, false, o).expect("refused"));
    assert!(matches!(
        &out[0],
        FileStep::Peer(FileMsg::Cancel {
            id: 6,
            why: FileStop::NotGranted,
            ..
        })
    ));
    assert!(agent.is_empty());
}

#[test]
fn a_ninth_transfer_is_refused_with_its_reason() {
    let mut viewer = Transfers::new(End::Viewer);
    for _ in 0..MAX_TRANSFERS {
        step(|o| viewer.send("/tmp/x".into(), true, o));
    }
    let out = step(|o| viewer.send("/tmp/x".into(), true, o));
    assert!(matches!(
        &out[0],
        FileStep::Emit(SessionEvent::FileFailed {
            why: FileStop::Refused,
            ..
        })
    ));
    let mut agent = Transfers::new(End::Agent);
    for id in 0..MAX_TRANSFERS as u32 {
        let msg = FileMsg::Offer(Box::new(page(id * 2, &["a"], false)));
        step(|o| agent.from_peer(msg, true, o).expect("taken"));
    }
    let msg = FileMsg::Offer(Box::new(page(100, &["a"], false)));
    let out = step(|o| agent.from_peer(msg, true, o).expect("refused"));
    assert!(matches!(
        &out[0],
        FileStep::Peer(FileMsg::Cancel {
            id: 100,
            why: FileStop::Refused,
            detail: Some(_)
        })
    ));
    assert_eq!(agent.len(), MAX_TRANSFERS);
}

#[test]
fn numbers_out_of_place_are_violations_late_ones_are_not() {
    let mut agent = Transfers::new(End::Agent);
    let odd = FileMsg::Offer(Box::new(page(3, &["a"], true)));
    assert!(step(|o| {
        agent.from_peer(odd, true, o).expect_err("odd");
    })
    .is_empty());
    let unknown = FileMsg::Done {
        id: 10,
        entry: 0,
        sha256: [0; 32],
    };
    let mut out = Vec::new();
    assert!(agent.from_peer(unknown, true, &mut out).is_err());
    let cancel = FileMsg::Cancel {
        id: 10,
        why: FileStop::Stopped,
        detail: None,
    };
    assert!(
        agent.from_peer(cancel.clone(), true, &mut out).is_err(),
        "never started"
    );
    // Once 12 is started, 10 is a number that is over: late, ignored.
    let offer = FileMsg::Offer(Box::new(page(12, &["a"], true)));
    agent.from_peer(offer, true, &mut out).expect("new");
    out.clear();
    agent.from_peer(cancel, true, &mut out).expect("late");
    assert!(out.is_empty());
    // A page after the last, an accept of what this end receives.
    let again = FileMsg::Offer(Box::new(page(12, &["b"], true)));
    assert!(agent.from_peer(again, true, &mut out).is_err());
    let accept = FileMsg::Accept {
        id: 12,
        resume: vec![],
    };
    assert!(agent.from_peer(accept, true, &mut out).is_err());
    // The viewer starts every transfer: an offer it did not ask for is
    // a violation there.
    let mut viewer = Transfers::new(End::Viewer);
    let offer = FileMsg::Offer(Box::new(page(0, &["a"], true)));
    assert!(viewer.from_peer(offer, true, &mut out).is_err());
}

#[test]
fn the_receiver_takes_pages_then_accepts_and_confirms_each_file() {
    let mut agent = Transfers::new(End::Agent);
    let first = FileMsg::Offer(Box::new(page(0, &["a"], false)));
    let out = step(|o| agent.from_peer(first, true, o).expect("new"));
    assert!(matches!(
        &out[..],
        [FileStep::Order(FileOrder::Take { first: true, .. })]
    ));
    let last = FileMsg::Offer(Box::new(page(0, &["b"], true)));
    let out = step(|o| agent.from_peer(last, true, o).expect("next"));
    assert!(matches!(
        &out[..],
        [FileStep::Order(FileOrder::Take { first: false, .. })]
    ));
    let ready = FileNews::Ready {
        id: 0,
        resume: vec![],
        summary: summary(2),
    };
    let out = step(|o| agent.news(ready, o));
    assert!(matches!(
        &out[0],
        FileStep::Peer(FileMsg::Accept { id: 0, .. })
    ));
    assert!(matches!(
        &out[1],
        FileStep::Emit(SessionEvent::FileOffered {
            dir: Direction::ToAgent,
            ..
        })
    ));
    let kept = |entry| FileNews::Kept {
        id: 0,
        entry,
        name: "b (1)".into(),
        bytes: 3,
        sha256: [1; 32],
        received: true,
    };
    let out = step(|o| agent.news(kept(1), o));
    assert!(matches!(
        &out[0],
        FileStep::Peer(FileMsg::Done {
            id: 0,
            entry: 1,
            ..
        })
    ));
    let out = step(|o| agent.news(kept(0), o));
    assert!(matches!(
        out.last(),
        Some(FileStep::Emit(SessionEvent::FileComplete { id: 0 }))
    ));
    // A list of empty folders only is complete at once.
    let folders = FileMsg::Offer(Box::new(ManifestPage {
        id: 2,
        entries: vec![],
        last: true,
    }));
    step(|o| agent.from_peer(folders, true, o).expect("new"));
    let out = step(|o| {
        agent.news(
            FileNews::Ready {
                id: 2,
                resume: vec![],
                summary: summary(0),
            },
            o,
        )
    });
    assert!(matches!(
        out.last(),
        Some(FileStep::Emit(SessionEvent::FileComplete { id: 2 }))
    ));
    assert!(agent.is_empty());
}

#[test]
fn stops_reach_the_other_end_the_worker_and_the_record() {
    let mut agent = Transfers::new(End::Agent);
    for id in [0, 2] {
        let msg = FileMsg::Offer(Box::new(page(id, &["a"], false)));
        step(|o| agent.from_peer(msg, true, o).expect("new"));
    }
    // The viewer's cancel: the worker removes, nothing goes back.
    let cancel = FileMsg::Cancel {
        id: 0,
        why: FileStop::Stopped,
        detail: None,
    };
    let out = step(|o| agent.from_peer(cancel, true, o).expect("open"));
    assert_eq!(out[0], FileStep::Order(FileOrder::Stop { id: 0 }));
    assert!(matches!(
        &out[1],
        FileStep::Emit(SessionEvent::FileFailed {
            id: 0,
            why: FileStop::Stopped,
            ..
        })
    ));
    // The worker's failure: the viewer is told, in words it will accept.
    let failed = FileNews::Failed {
        id: 2,
        why: FileStop::Refused,
        detail: "entry 0: \"a\u{1b}[2J\" holds a control character".into(),
    };
    let out = step(|o| agent.news(failed, o));
    let FileStep::Peer(
        msg @ FileMsg::Cancel {
            detail: Some(detail),
            ..
        },
    ) = &out[0]
    else {
        panic!("{out:?}");
    };
    assert!(
        msg.validate().is_ok() && detail.contains('\u{FFFD}'),
        "{detail}"
    );
    // Taken back: every transfer stops, told each way.
    for id in [4, 6] {
        let msg = FileMsg::Offer(Box::new(page(id, &["a"], false)));
        step(|o| agent.from_peer(msg, true, o).expect("new"));
    }
    let out = step(|o| agent.stop_all(FileStop::NotGranted, o));
    let cancels = out
        .iter()
        .filter(|s| {
            matches!(
                s,
                FileStep::Peer(FileMsg::Cancel {
                    why: FileStop::NotGranted,
                    ..
                })
            )
        })
        .count();
    let stops = out
        .iter()
        .filter(|s| matches!(s, FileStep::Order(FileOrder::Stop { .. })))
        .count();
    assert_eq!((cancels, stops), (2, 2));
    assert!(agent.is_empty());
    // A viewer's walk the agent never heard of is stopped here only.
    let mut viewer = Transfers::new(End::Viewer);
    step(|o| viewer.send("/tmp/x".into(), true, o));
    let out = step(|o| viewer.stop(0, FileStop::Stopped, None, o));
    assert!(
        !out.iter().any(|s| matches!(s, FileStep::Peer(_))),
        "{out:?}"
    );
    // A walk that fails (no such file) is said here only too: the agent
    // would take a cancel of a number it never saw for a violation.
    step(|o| viewer.send("/no/such/file".into(), true, o));
    let failed = FileNews::Failed {
        id: 2,
        why: FileStop::Failed,
        detail: "cannot read".into(),
    };
    let out = step(|o| viewer.news(failed, o));
    assert!(
        matches!(
            &out[..],
            [FileStep::Emit(SessionEvent::FileFailed { id: 2, .. })]
        ),
        "{out:?}"
    );
    // Its walk's result then offers nothing, and the worker drops it.
    let late = FileNews::Scanned {
        id: 0,
        pages: vec![page(0, &["a"], true)],
        summary: summary(1),
    };
    assert_eq!(
        step(|o| viewer.news(late, o)),
        [FileStep::Order(FileOrder::Stop { id: 0 })]
    );
}

#[test]
fn a_file_kept_as_its_transfer_stopped_is_still_recorded() {
    let mut agent = Transfers::new(End::Agent);
    let msg = FileMsg::Offer(Box::new(page(0, &["a", "b"], true)));
    step(|o| agent.from_peer(msg, true, o).expect("new"));
    step(|o| {
        agent.news(
            FileNews::Ready {
                id: 0,
                resume: vec![],
                summary: summary(2),
            },
            o,
        )
    });
    step(|o| agent.stop(0, FileStop::Stopped, None, o));
    let kept = FileNews::Kept {
        id: 0,
        entry: 1,
        name: "b".into(),
        bytes: 3,
        sha256: [2; 32],
        received: true,
    };
    let out = step(|o| agent.news(kept, o));
    assert!(matches!(
        &out[0],
        FileStep::Emit(SessionEvent::FileDone {
            dir: Direction::ToAgent,
            ..
        })
    ));
    assert_eq!(out[1], FileStep::Order(FileOrder::Stop { id: 0 }));
    assert!(
        !out.iter().any(|s| matches!(s, FileStep::Peer(_))),
        "not confirmed: {out:?}"
    );
}

mod fetches;
