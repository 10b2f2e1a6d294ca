//! Files between the two machines wired in memory (the file workers
//! played by the test): what each end is told to do, the fetch question
//! and its rules, and `files` taken back mid-transfer.

mod common;

use common::*;
use tessera_input::{InputEvent, Key, RefusalKind};
use tessera_proto::files::{Entry, EntryKind, FileStop, ManifestPage};
use tessera_proto::Permission;
use tessera_session::agent::AgentInput;
use tessera_session::transfers::{FileNews, FileOrder, Summary};
use tessera_session::viewer::ViewerInput;
use tessera_session::{SessionEvent, Timer};

fn manifest(id: u32) -> Vec<ManifestPage> {
    vec![ManifestPage {
        id,
        entries: vec![Entry {
            path: "rapport.txt".into(),
            kind: EntryKind::File {
                size: 10,
                executable: false,
            },
        }],
        last: true,
    }]
}

fn summary() -> Summary {
    Summary {
        name: "rapport.txt".into(),
        files: 1,
        bytes: 10,
        resumed: 0,
        left_out: vec![],
    }
}

/// A send the agent took and accepted: the transfer runs on both ends.
fn running_send(p: &mut Pair) {
    p.deliver_viewer(ViewerInput::UserSendFile("/tmp/rapport.txt".into()));
    assert_eq!(
        p.viewer_files.last(),
        Some(&FileOrder::Offer {
            id: 0,
            path: "/tmp/rapport.txt".into()
        })
    );
    p.deliver_viewer(ViewerInput::Files(FileNews::Scanned {
        id: 0,
        pages: manifest(0),
        summary: summary(),
    }));
    assert!(matches!(
        p.agent_files.last(),
        Some(FileOrder::Take { first: true, .. })
    ));
    p.deliver_agent(AgentInput::Files(FileNews::Ready {
        id: 0,
        resume: vec![],
        summary: summary(),
    }));
    assert_eq!(
        p.viewer_files.last(),
        Some(&FileOrder::Send {
            id: 0,
            resume: vec![]
        })
    );
}

#[test]
fn a_send_runs_to_its_end_on_both_ends() {
    let mut p = Pair::running("files", "files");
    running_send(&mut p);
    p.deliver_agent(AgentInput::Files(FileNews::Kept {
        id: 0,
        entry: 0,
        name: "rapport.txt".into(),
        bytes: 10,
        sha256: [5; 32],
        received: true,
    }));
    assert_eq!(
        p.viewer_files.last(),
        Some(&FileOrder::Confirmed {
            id: 0,
            entry: 0,
            sha256: [5; 32]
        })
    );
    assert!(p
        .agent_events
        .contains(&SessionEvent::FileComplete { id: 0 }));
}

#[test]
fn taking_files_back_stops_every_transfer_on_both_ends() {
    let mut p = Pair::running("files,chat", "files,chat");
    running_send(&mut p);
    p.deliver_agent(AgentInput::Revoke(Permission::Files));
    assert_eq!(p.agent_files.last(), Some(&FileOrder::Stop { id: 0 }));
    assert_eq!(p.viewer_files.last(), Some(&FileOrder::Stop { id: 0 }));
    let failed = SessionEvent::FileFailed {
        id: 0,
        why: FileStop::NotGranted,
        detail: None,
    };
    assert!(p.agent_events.contains(&failed) && p.viewer_events.contains(&failed));
    // A late report of the worker changes nothing, and nothing new goes.
    p.deliver_viewer(ViewerInput::UserSendFile("/tmp/x".into()));
    assert!(p
        .viewer_events
        .iter()
        .any(|e| matches!(e, SessionEvent::Refused { .. })));
    assert!(p.ended() == (None, None), "the session goes on");
}

#[test]
fn a_fetch_asks_the_person_and_blocks_input_until_they_answer() {
    let mut p = Pair::running("files,control", "files,control");
    p.deliver_viewer(ViewerInput::UserFetchFile("~/rapport.txt".into()));
    let asked = p.fetch_asked.last().expect("asked").clone();
    assert_eq!(asked.path, "~/rapport.txt");
    assert_eq!(asked.technician.name, "Jane");
    assert!(p.prompt_open);
    assert!(p.agent_files.is_empty(), "nothing walked before a yes");
    // The technician cannot type the answer through remote control.
    let enter = InputEvent::Key {
        key: Key::Enter,
        down: true,
        text: None,
    };
    p.deliver_agent(AgentInput::RemoteInput {
        event: enter,
        at: std::time::Instant::now(),
    });
    assert!(p.injected.is_empty());
    assert!(p.agent_events.iter().any(|e| matches!(
        e,
        SessionEvent::InputRefused {
            reason: RefusalKind::PromptOpen,
            ..
        }
    )));
    p.deliver_agent(AgentInput::FetchAnswer { id: 0, yes: true });
    assert_eq!(
        p.agent_files.last(),
        Some(&FileOrder::Offer {
            id: 0,
            path: "~/rapport.txt".into()
        })
    );
    // The agent's walk becomes the viewer's incoming transfer.
    p.deliver_agent(AgentInput::Files(FileNews::Scanned {
        id: 0,
        pages: manifest(0),
        summary: summary(),
    }));
    assert!(matches!(
        p.viewer_files.last(),
        Some(FileOrder::Take { first: true, .. })
    ));
}

#[test]
fn a_fetch_cancelled_while_asked_takes_its_question_down() {
    let mut p = Pair::running("files,control", "files,control");
    p.deliver_viewer(ViewerInput::UserFetchFile("~/rapport.txt".into()));
    assert!(p.prompt_open);
    p.deliver_viewer(ViewerInput::UserCancelFile(0));
    assert!(!p.prompt_open, "the question is gone");
    // Input works again at once, and a late yes walks nothing.
    p.deliver_agent(AgentInput::FetchAnswer { id: 0, yes: true });
    assert!(p
        .agent_files
        .iter()
        .all(|o| !matches!(o, FileOrder::Offer { .. })));
}

#[test]
fn an_unanswered_fetch_is_a_no() {
    let mut p = Pair::running("files", "files");
    p.deliver_viewer(ViewerInput::UserFetchFile("/etc/hostname".into()));
    assert_eq!(p.fetch_asked.len(), 1);
    p.deliver_agent(AgentInput::TimerFired(Timer::Consent));
    assert!(!p.prompt_open, "the question is taken down");
    let denied = SessionEvent::FileFailed {
        id: 0,
        why: FileStop::Denied,
        detail: None,
    };
    assert!(p.viewer_events.contains(&denied), "{:?}", p.viewer_events);
    assert!(p
        .agent_files
        .iter()
        .all(|o| !matches!(o, FileOrder::Offer { .. })));
    // Asked again, the person is asked again; one question at a time.
    p.deliver_viewer(ViewerInput::UserFetchFile("/etc/hostname".into()));
    assert_eq!(p.fetch_asked.len(), 2);
    p.deliver_viewer(ViewerInput::UserFetchFile("/etc/hosts".into()));
    assert_eq!(p.fetch_asked.len(), 2, "not while another is open");
    assert!(p.viewer_events.iter().any(|e| matches!(
        e,
        SessionEvent::FileFailed {
            id: 4,
            why: FileStop::Refused,
            ..
        }
    )));
}
