use super::*;
use tessera_proto::{EndReason, UpgradeRefusal};

fn grants(permissions: &[Permission]) -> Grants {
    permissions.iter().copied().collect()
}

fn running(granted: Grants) -> (ViewerView, Instant) {
    let now = Instant::now();
    let mut view = ViewerView::new(Lang::En);
    view.apply(SessionEvent::SessionStarted { granted }, now);
    (view, now)
}

fn chat(from: Side, text: &str) -> SessionEvent {
    SessionEvent::Chat {
        from,
        text: text.into(),
    }
}

fn display(name: &str, primary: bool) -> DisplayInfo {
    DisplayInfo {
        name: name.into(),
        x: 0,
        y: 0,
        width: 1920,
        height: 1080,
        primary,
    }
}

#[test]
fn the_phase_follows_connecting_waiting_running() {
    let now = Instant::now();
    let mut view = ViewerView::new(Lang::En);
    assert_eq!(view.phase(), &Phase::Connecting);
    assert_eq!(view.granted(), Grants::NONE);
    view.apply(SessionEvent::WaitingForConsent, now);
    assert_eq!(view.phase(), &Phase::Waiting(None));
    view.apply(
        SessionEvent::PromptShown {
            verified: false,
            verified_by: None,
            not_verified: Some("unknown_org".into()),
        },
        now,
    );
    let seen = SeenAs {
        verified: false,
        verified_by: None,
        not_verified: Some("unknown_org".into()),
    };
    assert_eq!(view.phase(), &Phase::Waiting(Some(seen)));
    let granted = grants(&[Permission::View, Permission::Chat]);
    view.apply(SessionEvent::SessionStarted { granted }, now);
    assert_eq!(view.phase(), &Phase::Running);
    assert_eq!(view.granted(), granted);
    assert!(view.may(Permission::View) && !view.may(Permission::Control));
}

#[test]
fn strings_from_the_network_are_made_printable() {
    let now = Instant::now();
    let mut view = ViewerView::new(Lang::En);
    view.apply(
        SessionEvent::PromptShown {
            verified: true,
            verified_by: Some("Acme\u{1b}[2J\u{202e}".into()),
            not_verified: Some("odd\u{7}".into()),
        },
        now,
    );
    let Phase::Waiting(Some(seen)) = view.phase() else {
        panic!("{:?}", view.phase());
    };
    assert_eq!(seen.verified_by.as_deref(), Some("Acme\u{fffd}[2J\u{fffd}"));
    assert_eq!(seen.not_verified.as_deref(), Some("odd\u{fffd}"));
    view.apply(chat(Side::Agent, "hi\u{1b}]52;c;x\u{7}\nthere"), now);
    assert_eq!(view.chat()[0].text, "hi\u{fffd}]52;c;x\u{fffd}\nthere");
    view.notify("saved\u{1b}[1A", now);
    assert_eq!(view.notice(now), Some("saved\u{fffd}[1A"));
    view.apply(
        SessionEvent::SessionEnded {
            reason: EndReason::UserEnded,
            detail: Some("bye\u{8}\u{8}".into()),
        },
        now,
    );
    assert_eq!(view.ended_detail(), Some("bye\u{fffd}\u{fffd}"));
}

#[test]
fn a_chat_line_break_shows_as_a_mark() {
    let line = ChatLine {
        from: Side::Agent,
        text: "one\ntwo".into(),
    };
    assert_eq!(line.single_line(), "one ↵ two");
}

#[test]
fn the_chat_keeps_the_last_lines_only() {
    let (mut view, now) = running(Grants::ALL);
    for i in 0..MAX_CHAT_LINES + 2 {
        view.apply(chat(Side::Viewer, &format!("line {i}")), now);
    }
    assert_eq!(view.chat().len(), MAX_CHAT_LINES);
    assert_eq!(view.chat()[0].text, "line 2");
    let last = view.chat().back().map(|l| l.text.clone());
    assert_eq!(last, Some(format!("line {}", MAX_CHAT_LINES + 1)));
}

#[test]
fn only_the_persons_lines_while_the_chat_is_closed_are_unread() {
    let (mut view, now) = running(Grants::ALL);
    view.apply(chat(Side::Agent, "hello"), now);
    view.apply(chat(Side::Viewer, "hi"), now);
    view.apply(chat(Side::Agent, "are you there"), now);
    assert_eq!(view.unread(), 2);
    view.toggle_chat();
    assert!(view.chat_open());
    assert_eq!(view.unread(), 0);
    view.apply(chat(Side::Agent, "seen at once"), now);
    assert_eq!(view.unread(), 0);
    view.toggle_chat();
    assert!(!view.chat_open());
    view.apply(chat(Side::Agent, "later"), now);
    assert_eq!(view.unread(), 1);
    // Closing counts as having read too.
    view.toggle_chat();
    view.toggle_chat();
    assert_eq!(view.unread(), 0);
    assert_eq!(view.chat().len(), 5);
}

#[test]
fn every_grant_update_lets_go_of_what_is_no_longer_granted() {
    let updates = [
        |granted| SessionEvent::SessionStarted { granted },
        |granted| SessionEvent::UpgradeGranted { granted },
        |granted| SessionEvent::GrantChanged { granted },
        |granted| SessionEvent::Status {
            running: true,
            granted,
        },
    ];
    for update in updates {
        let now = Instant::now();
        let mut view = ViewerView::new(Lang::En);
        assert_eq!(view.apply(update(Grants::ALL), now), vec![]);
        assert_eq!(view.granted(), Grants::ALL);
        let no_control = Grants::ALL.without(Permission::Control);
        let effects = view.apply(update(no_control), now);
        assert_eq!(effects, vec![ViewEffect::ReleaseHeldInput]);
        assert_eq!(view.granted(), no_control);
        let no_chat = Grants::ALL.without(Permission::Chat);
        assert_eq!(
            view.apply(update(no_chat), now),
            vec![ViewEffect::ClearChatDraft]
        );
        assert_eq!(
            view.apply(
                update(grants(&[Permission::View, Permission::Clipboard])),
                now
            ),
            vec![ViewEffect::ReleaseHeldInput, ViewEffect::ClearChatDraft]
        );
    }
}

#[test]
fn other_events_ask_nothing_of_the_window() {
    let (mut view, now) = running(Grants::NONE);
    let events = [
        SessionEvent::Paired,
        SessionEvent::WaitingForConsent,
        SessionEvent::UpgradeRequested {
            requested: Grants::ALL,
        },
        SessionEvent::LocalUser { active: true },
        SessionEvent::ContinueCheck { open: true },
        chat(Side::Agent, "x"),
        SessionEvent::Refused {
            permission: Permission::Files,
            reason: "not_granted",
        },
    ];
    for event in events {
        assert_eq!(view.apply(event.clone(), now), vec![], "{event:?}");
    }
}

#[test]
fn a_request_for_more_waits_until_granted_or_refused() {
    let (mut view, now) = running(Grants::NONE.with(Permission::View));
    assert_eq!(
        view.ask_more(),
        AskMore::Allowed(Grants::ALL.without(Permission::View))
    );
    let requested = Grants::NONE.with(Permission::Control);
    view.apply(SessionEvent::UpgradeRequested { requested }, now);
    assert!(view.upgrade_pending());
    assert_eq!(view.ask_more(), AskMore::Pending);
    // A grant taken back meanwhile leaves the request open.
    view.apply(
        SessionEvent::GrantChanged {
            granted: Grants::NONE,
        },
        now,
    );
    assert!(view.upgrade_pending());
    assert_eq!(view.ask_more(), AskMore::Pending);
    let granted = grants(&[Permission::View, Permission::Control]);
    view.apply(SessionEvent::UpgradeGranted { granted }, now);
    assert!(!view.upgrade_pending());
    assert_eq!(view.granted(), granted);
    view.apply(SessionEvent::UpgradeRequested { requested }, now);
    let reason = UpgradeRefusal::Denied;
    view.apply(SessionEvent::UpgradeRefused { reason }, now);
    assert!(!view.upgrade_pending());
    assert_eq!(
        view.notice(now),
        Some(format!("Request refused: {}", reason.describe()).as_str())
    );
}

#[test]
fn asking_for_more_offers_only_what_is_not_granted() {
    let (mut view, now) = running(Grants::ALL.without(Permission::Files));
    assert_eq!(view.askable(), Grants::NONE.with(Permission::Files));
    assert_eq!(
        view.ask_more(),
        AskMore::Allowed(Grants::NONE.with(Permission::Files))
    );
    assert_eq!(view.ask_more().why_not(Lang::En), None);
    view.apply(
        SessionEvent::Status {
            running: true,
            granted: Grants::ALL,
        },
        now,
    );
    assert_eq!(view.askable(), Grants::NONE);
    assert_eq!(view.ask_more(), AskMore::AllGranted);
    assert_eq!(
        view.ask_more().why_not(Lang::En),
        Some("Everything is already allowed")
    );
    // A request waiting says so before all being granted does.
    view.apply(
        SessionEvent::UpgradeRequested {
            requested: Grants::ALL,
        },
        now,
    );
    assert_eq!(view.ask_more(), AskMore::Pending);
    assert_eq!(
        view.ask_more().why_not(Lang::Fr),
        Some(viewer_words(Lang::Fr).asking_for_more)
    );
}

#[test]
fn grant_changes_and_refusals_leave_a_notice() {
    let (mut view, now) = running(Grants::ALL);
    assert_eq!(view.notice(now), None);
    view.apply(
        SessionEvent::Status {
            running: true,
            granted: Grants::ALL,
        },
        now,
    );
    assert_eq!(view.notice(now), None, "a status is no change");
    view.apply(
        SessionEvent::GrantChanged {
            granted: Grants::NONE,
        },
        now,
    );
    assert_eq!(view.notice(now), Some("The person changed what you may do"));
    view.apply(
        SessionEvent::Refused {
            permission: Permission::Control,
            reason: "not_granted",
        },
        now,
    );
    assert_eq!(view.notice(now), Some("Not allowed by the person: Control"));
    view.apply(
        SessionEvent::UpgradeGranted {
            granted: Grants::ALL,
        },
        now,
    );
    assert_eq!(view.notice(now), Some("The person changed what you may do"));
    let (mut fr, now) = (ViewerView::new(Lang::Fr), now);
    fr.apply(
        SessionEvent::GrantChanged {
            granted: Grants::NONE,
        },
        now,
    );
    assert_eq!(fr.notice(now), Some(viewer_words(Lang::Fr).grants_changed));
}

#[test]
fn a_notice_goes_after_its_time() {
    let (mut view, now) = running(Grants::ALL);
    view.notify("saved", now);
    assert_eq!(
        view.notice(now + NOTICE - Duration::from_millis(1)),
        Some("saved")
    );
    assert_eq!(view.notice(now + NOTICE), None);
}

#[test]
fn the_window_wakes_only_for_moving_figures_or_a_notice() {
    let (mut view, now) = running(Grants::ALL);
    view.figures(now);
    assert_eq!(view.next_wake(now), None, "an idle session never wakes");
    view.notify("saved", now);
    let later = now + Duration::from_secs(3);
    assert_eq!(view.next_wake(later), Some(NOTICE - Duration::from_secs(3)));
    assert_eq!(view.next_wake(now + NOTICE), Some(Duration::ZERO));
    assert_eq!(view.next_wake(now + NOTICE + Duration::from_secs(1)), None);
    let frame = SessionEvent::Frame {
        seq: 1,
        width: 10,
        height: 10,
        bytes: 500,
        captured_at_us: 0,
    };
    view.apply(frame, now);
    // The figures move once shown: a second from now, before the notice.
    assert_eq!(view.next_wake(now), Some(NOTICE));
    let figures = view.figures(now);
    assert_eq!((figures.fps, figures.bytes_per_sec), (1.0, 500.0));
    assert_eq!(view.next_wake(now), Some(Duration::from_secs(1)));
    // Shown again once the pictures stopped, they rest.
    let quiet = now + Duration::from_secs(20);
    assert_eq!(view.figures(quiet).fps, 0.0);
    assert_eq!(view.next_wake(quiet), None);
}

#[test]
fn the_figures_carry_the_round_trip_time() {
    let (mut view, now) = running(Grants::ALL);
    assert_eq!(view.figures(now).rtt, None);
    view.round_trip(Duration::from_millis(18));
    assert_eq!(view.figures(now).line(Lang::En), "18 ms · 0 fps · 0 B/s");
}

#[test]
fn displays_and_the_persons_input_are_remembered() {
    let (mut view, now) = running(Grants::ALL);
    let displays = vec![display("DP-1", false), display("HDMI-1", true)];
    view.apply(
        SessionEvent::Displays {
            displays: displays.clone(),
            showing: 1,
        },
        now,
    );
    assert_eq!(view.displays(), displays.as_slice());
    assert_eq!(view.showing(), 1);
    view.apply(SessionEvent::LocalUser { active: true }, now);
    assert!(view.local_user());
    view.apply(SessionEvent::LocalUser { active: false }, now);
    assert!(!view.local_user());
    view.apply(SessionEvent::ContinueCheck { open: true }, now);
    assert!(view.continue_check());
    view.apply(SessionEvent::ContinueCheck { open: false }, now);
    assert!(!view.continue_check());
}

#[test]
fn a_display_is_labelled_from_one_with_its_size() {
    assert_eq!(
        display_label(&display("DP-1", false), 0),
        "1: DP-1 1920x1080"
    );
    assert_eq!(
        display_label(&display("HDMI\u{1b}[2J", true), 1),
        "2: HDMI\u{fffd}[2J 1920x1080 ★"
    );
    assert_eq!(
        display_label(&display("x", false), u32::MAX),
        "4294967296: x 1920x1080"
    );
}

#[test]
fn input_pauses_give_the_first_reason() {
    let now = Instant::now();
    let (mut view, _) = running(Grants::ALL.without(Permission::Control));
    view.apply(SessionEvent::ContinueCheck { open: true }, now);
    view.apply(SessionEvent::LocalUser { active: true }, now);
    assert_eq!(view.input_pause(true), Some(InputPause::ViewOnly));
    view.apply(
        SessionEvent::Status {
            running: true,
            granted: Grants::ALL,
        },
        now,
    );
    assert_eq!(view.input_pause(true), Some(InputPause::ContinueCheck));
    view.apply(SessionEvent::ContinueCheck { open: false }, now);
    assert_eq!(view.input_pause(true), Some(InputPause::LocalUser));
    view.apply(SessionEvent::LocalUser { active: false }, now);
    assert_eq!(view.input_pause(true), Some(InputPause::KeyboardReleased));
    assert_eq!(view.input_pause(false), None);
}

#[test]
fn each_input_pause_has_its_own_words() {
    let pauses = [
        InputPause::ViewOnly,
        InputPause::ContinueCheck,
        InputPause::LocalUser,
        InputPause::KeyboardReleased,
    ];
    for lang in [Lang::En, Lang::Fr] {
        let said: std::collections::HashSet<_> = pauses.iter().map(|p| p.words(lang)).collect();
        assert_eq!(said.len(), pauses.len());
    }
    let en = viewer_words(Lang::En);
    assert_eq!(InputPause::ViewOnly.words(Lang::En), en.view_only);
    assert_eq!(InputPause::ContinueCheck.words(Lang::En), en.continue_check);
    assert_eq!(InputPause::LocalUser.words(Lang::En), en.input_paused);
    assert_eq!(
        InputPause::KeyboardReleased.words(Lang::Fr),
        viewer_words(Lang::Fr).keyboard_released
    );
}
