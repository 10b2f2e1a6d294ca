use super::*;
use crate::event::{Side, Technician};
use tessera_proto::EndReason;

fn jane() -> Technician {
    Technician {
        name: "Jane".into(),
        org: None,
        verified: false,
        verified_by: None,
        not_verified: Some("no_certificate"),
        ticket: None,
    }
}

fn ask(requested: &str, already: Option<Grants>) -> ConsentRequest {
    ConsentRequest {
        technician: jane(),
        requested: Grants::parse_list(requested).expect("grants"),
        already,
        timeout: Duration::from_secs(60),
    }
}

fn line(text: &str, at: Instant) -> TypedLine {
    TypedLine {
        text: text.into(),
        at,
    }
}

#[test]
fn the_answer_line_shows_a_second_after_the_question_and_only_later_lines_answer() {
    let mut tty = Terminal::new(Lang::En);
    let t0 = Instant::now();
    let q = tty.ask_consent(&ask("view,chat", None), t0);
    assert!(q.text.contains("Jane"), "{}", q.text);
    assert!(
        !q.text.contains("Allow?"),
        "the answer line waits: {}",
        q.text
    );
    assert_eq!(q.arm_at, t0 + ARM_DELAY);
    assert_eq!(tty.arm_due(), Some(q.arm_at));
    // Too early: nothing to show, and a line answers nothing.
    assert_eq!(tty.arm(t0 + ARM_DELAY / 2), None);
    let early = tty.typed(line("y", t0 + ARM_DELAY / 2));
    assert!(matches!(early, Typed::Notice(n) if n.contains("before the question")));

    let shown = t0 + ARM_DELAY;
    assert_eq!(tty.arm(shown).as_deref(), Some("Allow? [y/N] "));
    assert_eq!(tty.arm_due(), None);
    // A line read before the answer line showed, handed over late: nothing.
    let stale = tty.typed(line("y", shown - Duration::from_millis(1)));
    assert!(matches!(stale, Typed::Notice(_)));
    // A line read after it answers.
    let answer = tty.typed(line("chat", shown + Duration::from_millis(5)));
    let Typed::Input(AgentInput::ConsentAnswer(Some(granted))) = answer else {
        panic!("an answer: {answer:?}");
    };
    assert_eq!(granted, Grants::parse_list("chat").expect("grants"));
    // Answered: the next line is chat again.
    let next = tty.typed(line("merci", shown + Duration::from_secs(2)));
    assert!(matches!(next, Typed::Input(AgentInput::UserChat(t)) if t == "merci"));
}

#[test]
fn the_continue_check_takes_only_yes_and_says_how_long_in_french() {
    let mut tty = Terminal::new(Lang::Fr);
    let t0 = Instant::now();
    tty.event_text(
        &SessionEvent::ConsentRequested {
            technician: jane(),
            requested: Grants::NONE,
        },
        t0,
    );
    tty.event_text(
        &SessionEvent::SessionStarted {
            granted: Grants::NONE.with(Permission::Chat),
        },
        t0,
    );
    let later = t0 + Duration::from_secs(1800);
    let q = tty.ask_continue(Duration::from_secs(300), later);
    assert!(
        q.text
            .contains("Jane est connecté à cet ordinateur depuis 30:00."),
        "{}",
        q.text
    );
    assert_eq!(tty.arm(q.arm_at).as_deref(), Some("Continuer ? [o/N] "));
    let answer = tty.typed(line("oui", q.arm_at));
    assert!(matches!(
        answer,
        Typed::Input(AgentInput::ContinueAnswer(true))
    ));
    // A withdrawn continue check says nothing; a withdrawn request does.
    tty.ask_continue(Duration::from_secs(300), later);
    assert_eq!(tty.dismiss(), None);
    tty.ask_consent(&ask("view", Some(Grants::NONE)), later);
    assert_eq!(tty.dismiss(), Some("\n(La demande a été retirée.)"));
}

#[test]
fn commands_stop_and_revoke_and_anything_else_is_chat() {
    let mut tty = Terminal::new(Lang::En);
    let at = Instant::now();
    assert!(matches!(
        tty.typed(line(" /stop ", at)),
        Typed::Input(AgentInput::UserEnd)
    ));
    assert!(matches!(
        tty.typed(line("/end", at)),
        Typed::Input(AgentInput::UserEnd)
    ));
    assert!(matches!(
        tty.typed(line("/revoke control", at)),
        Typed::Input(AgentInput::Revoke(Permission::Control))
    ));
    assert!(
        matches!(tty.typed(line("/revoke all", at)), Typed::Notice(n) if n.starts_with("Usage"))
    );
    assert!(matches!(tty.typed(line("/help", at)), Typed::Notice(n) if n.starts_with("Commands")));
    assert!(matches!(tty.typed(line("   ", at)), Typed::Nothing));
    let mut fr = Terminal::new(Lang::Fr);
    assert!(matches!(fr.typed(line("/aide", at)), Typed::Notice(n) if n.starts_with("Commandes")));
}

#[test]
fn french_from_the_code_to_the_end_notice() {
    let mut tty = Terminal::new(Lang::Fr);
    let at = Instant::now();
    let code = SessionEvent::Code {
        code: "482 913 577 2".into(),
        expires_in_secs: 600,
    };
    let text = tty.event_text(&code, at).expect("shown");
    assert!(text.contains("Votre code : 482 913 577 2"), "{text}");
    assert!(text.contains("expire dans 10 minutes"), "{text}");
    let end = SessionEvent::SessionEnded {
        reason: EndReason::TechnicianEnded,
        detail: None,
    };
    assert_eq!(
        tty.event_text(&end, at).as_deref(),
        Some("\nSession terminée : le technicien a arrêté la session.")
    );
    assert_eq!(
        connecting("relay:7700", Lang::Fr),
        "Connexion au relais relay:7700..."
    );
}

#[test]
fn text_from_the_network_cannot_drive_the_terminal() {
    let mut tty = Terminal::new(Lang::En);
    // A relay's close reason: clear the screen, fake a line, set the
    // clipboard with OSC 52, a C1 CSI, a direction override.
    let hostile = "bye\x1b[2J\x1b[HType your password:\x1b]52;c;cm0gLXJmIH4=\x07\u{9b}31m\u{202e}";
    let end = SessionEvent::SessionEnded {
        reason: EndReason::RelayClosed,
        detail: Some(hostile.into()),
    };
    let text = tty.event_text(&end, Instant::now()).expect("shown");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "no control character reaches the terminal: {text:?}"
    );
    assert!(!text.contains('\u{202e}'));
    assert!(
        text.contains("Type your password:"),
        "the words stay visible as words"
    );
    assert_eq!(printable("a\tb\nc"), "a\u{FFFD}b\nc");
}

#[test]
fn chat_lines_carry_the_technicians_name() {
    let mut tty = Terminal::new(Lang::En);
    let at = Instant::now();
    tty.ask_consent(&ask("chat", None), at);
    tty.dismiss();
    let chat = SessionEvent::Chat {
        from: Side::Viewer,
        text: "one\ntwo".into(),
    };
    assert_eq!(
        tty.event_text(&chat, at).as_deref(),
        Some("[Jane] one\n[Jane] two")
    );
}
