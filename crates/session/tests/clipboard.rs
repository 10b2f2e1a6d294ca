//! The clipboard between the two machines in memory: the watch follows
//! the grant, copies cross only with it, each on both records by size
//! and hash.

mod common;

use common::*;
use tessera_proto::clipboard::Clip;
use tessera_proto::Permission;
use tessera_session::agent::AgentInput;
use tessera_session::viewer::ViewerInput;
use tessera_session::SessionEvent;

#[test]
fn the_watch_follows_the_grant_and_copies_need_it() {
    let mut p = Pair::running("clipboard,chat", "clipboard,chat");
    assert!(p.watching, "watched once granted");
    p.deliver_agent(AgentInput::LocalClipboard(
        Clip::text("ipconfig".into()).expect("fits"),
    ));
    assert_eq!(p.clips_sent.len(), 1);
    p.deliver_viewer(ViewerInput::UserClipboard("ping".into()));
    assert_eq!(p.clips_set.len(), 1, "on the person's clipboard");
    let copied = |e: &SessionEvent| matches!(e, SessionEvent::Clipboard { .. });
    assert_eq!(p.agent_events.iter().filter(|e| copied(e)).count(), 2);
    p.deliver_agent(AgentInput::Revoke(Permission::Clipboard));
    assert!(!p.watching, "not watched once taken back");
    p.deliver_agent(AgentInput::LocalClipboard(
        Clip::text("late".into()).expect("fits"),
    ));
    assert_eq!(p.clips_sent.len(), 1, "a late copy is not sent");
    // A copy from a viewer that ignores the revoke is refused.
    p.deliver_agent(AgentInput::RemoteClipboard(
        Clip::text("rm -rf".into()).expect("fits"),
    ));
    assert_eq!(p.clips_set.len(), 1);
    assert!(p.agent_events.iter().any(|e| matches!(
        e,
        SessionEvent::Refused {
            permission: Permission::Clipboard,
            ..
        }
    )));
}

#[test]
fn without_the_grant_nothing_is_watched() {
    let mut p = Pair::running("view,chat", "view,chat");
    assert!(!p.watching);
    p.deliver_viewer(ViewerInput::UserClipboard("ping".into()));
    assert!(p.clips_set.is_empty() && p.clips_sent.is_empty());
}
