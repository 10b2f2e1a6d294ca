//! The person's terminal (`--ui tty`) through a real pty: what it says in
//! French, and that nothing typed before a question can answer it.

use tessera_tests::{running_session, scratch, Agent, RelayProcess, Viewer};

#[test]
fn a_key_typed_before_a_question_cannot_answer_it() {
    let relay = RelayProcess::start(&scratch("tty-pending"), &[]);
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    // What a technician with control could do: type `y` into the person's
    // terminal, without Enter, then ask for more.
    agent.terminal.type_text("y");
    viewer.command(r#"{"cmd":"request","grants":["view"]}"#);
    agent.terminal.wait_for("Allow? [y/N]");
    // The person presses Enter, for whatever reason: the `y` is gone.
    agent.terminal.type_line("");
    let refused = viewer.events.event("upgrade_refused");
    assert_eq!(refused["reason"], "denied");
    assert!(!viewer
        .events
        .seen()
        .iter()
        .any(|l| l.contains("upgrade_granted")));
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn in_french_from_the_code_to_the_end_notice() {
    let relay = RelayProcess::start(&scratch("tty-french"), &[]);
    let mut args = relay.client_args();
    args.extend(["--lang".into(), "fr".into()]);
    let mut agent = Agent::start(&args);
    agent.terminal.wait_for("Connexion au relais");
    let code = agent.code();
    agent.terminal.wait_for("Votre code : ");
    agent
        .terminal
        .wait_for("Lisez-le au technicien qui vous aide.");
    let mut viewer = Viewer::connect(&code, &relay.client_args(), "chat");
    agent
        .terminal
        .wait_for("Code confirmé : la connexion est chiffrée de bout en bout.");
    agent.terminal.wait_for("demande : discussion.");
    agent.terminal.wait_for("Autoriser ? [o/N]");
    agent.terminal.type_line("o");
    agent.terminal.wait_for("Session commencée.");
    viewer.events.event("session_started");
    viewer.command(r#"{"cmd":"chat","text":"Bonjour"}"#);
    agent.terminal.wait_for("] Bonjour");
    agent.terminal.type_line("/aide");
    agent
        .terminal
        .wait_for("Commandes : /stop arrête la session");
    viewer.command(r#"{"cmd":"end"}"#);
    agent
        .terminal
        .wait_for("Session terminée : le technicien a arrêté la session.");
    let shown = agent.terminal.shown().to_string();
    for english in ["Your code", "Session ended", "Allow?", "Commands:"] {
        assert!(!shown.contains(english), "{english:?} in:\n{shown}");
    }
    assert!(agent.wait().0.success());
}
