//! What a code allows: one guess, one join, a limited time, and typos
//! caught before they cost anything.

use tessera_tests::{code_prompt, scratch, typo, wrong_secret, Agent, RelayProcess, Viewer};

#[test]
fn a_wrong_code_is_refused_and_burned_and_the_new_code_works() {
    let relay = RelayProcess::start(&scratch("wrong"), &[]);
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let first = agent.code();

    // A well-formed code with the wrong secret: the PAKE fails both ways.
    let mut guesser = Viewer::connect(&wrong_secret(&first), &args, "chat");
    assert_eq!(
        guesser.events.event("session_ended")["reason"],
        "wrong_code"
    );
    let (status, stderr) = guesser.wait();
    assert!(!status.success());
    assert!(
        stderr.contains("wrong_code") && stderr.contains("burned"),
        "{stderr}"
    );
    assert_eq!(agent.events.event("code_burned")["reason"], "wrong_code");
    let second = agent.code();
    assert_ne!(first, second);
    agent.terminal.wait_for("the code is now void");

    // The right first code no longer works: its nameplate is used.
    let mut late = Viewer::connect(&first, &args, "chat");
    let ended = late.events.event("session_ended");
    assert_eq!(ended["reason"], "code_expired");
    assert!(
        ended["detail"]
            .as_str()
            .unwrap_or("")
            .contains("already used"),
        "{ended}"
    );
    assert!(!late.wait().0.success());

    // The new code does.
    let mut viewer = Viewer::connect(&second, &args, "chat");
    agent.answer("y");
    viewer.events.event("session_started");
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
    assert!(agent.wait().0.success());
}

#[test]
fn a_typo_is_caught_before_anything_is_sent() {
    // No relay listens here: the check digit alone refuses the code.
    let args: Vec<String> = vec!["--relay".into(), "127.0.0.1:9".into()];
    let viewer = Viewer::connect(&typo("482 913 577 2"), &args, "chat");
    let (status, stderr) = viewer.wait();
    assert_eq!(status.code(), Some(2));
    assert!(stderr.contains("typo"), "{stderr}");
}

#[test]
fn the_code_typed_at_the_viewers_prompt_pairs_and_is_not_on_its_command_line() {
    let relay = RelayProcess::start(&scratch("prompt"), &[]);
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let (mut viewer, mut terminal) = code_prompt::connect_at_prompt(&args, "chat");
    terminal.wait_for("Code the person reads to you");
    // A typo is said at once and the code asked again: nothing was sent.
    terminal.type_line(&typo(&code));
    terminal.wait_for("typo");
    terminal.wait_for("Code the person reads to you");
    terminal.type_line(&code);
    agent.answer("y");
    assert_eq!(
        viewer.events.event("session_started")["granted"],
        serde_json::json!(["chat"])
    );
    assert!(
        !agent
            .events
            .seen()
            .iter()
            .any(|l| l.contains("code_burned")),
        "the typo cost the person's code"
    );

    // What every local user can read of the running viewer: not the code.
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", viewer.pid())).expect("cmdline");
    let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    assert!(cmdline.contains("connect"), "{cmdline}");
    let parsed = tessera_proto::Code::parse(&code).expect("code");
    let secret = String::from_utf8_lossy(&parsed.secret.password_bytes()).into_owned();
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    for shown in [code.as_str(), &digits, &secret] {
        assert!(!cmdline.contains(shown), "{shown:?} in {cmdline:?}");
    }

    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn without_a_code_or_a_terminal_the_viewer_says_how_to_give_it() {
    // No relay listens here: nothing is tried without a code.
    let args: Vec<String> = vec!["--relay".into(), "127.0.0.1:9".into()];
    let (status, stderr) = code_prompt::connect_without_terminal(&args).wait();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no terminal") && stderr.contains("tessera-viewer connect"),
        "{stderr}"
    );
}

#[test]
fn an_expired_code_is_refused() {
    let relay = RelayProcess::start(&scratch("expiry"), &["--nameplate-ttl", "1"]);
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let ended = agent.events.event("session_ended");
    assert_eq!(ended["reason"], "code_expired");
    let (status, stderr) = agent.wait();
    assert!(!status.success());
    assert!(stderr.contains("code_expired"), "{stderr}");

    let mut viewer = Viewer::connect(&code, &args, "chat");
    let ended = viewer.events.event("session_ended");
    assert_eq!(ended["reason"], "code_expired");
    assert!(
        ended["detail"].as_str().unwrap_or("").contains("expired"),
        "{ended}"
    );
}

#[test]
fn an_unknown_code_is_refused() {
    let relay = RelayProcess::start(&scratch("unknown"), &[]);
    let args = relay.client_args();
    // A valid code whose nameplate was never allocated.
    let code = tessera_proto::Code::new(
        tessera_proto::Nameplate::new(99_999).expect("nameplate"),
        tessera_proto::Secret::from_digits([1, 2, 3, 4, 5, 6]).expect("secret"),
    )
    .display();
    let mut viewer = Viewer::connect(&code, &args, "chat");
    let ended = viewer.events.event("session_ended");
    assert_eq!(ended["reason"], "code_expired");
    assert!(
        ended["detail"]
            .as_str()
            .unwrap_or("")
            .contains("no one is waiting"),
        "{ended}"
    );
}

#[test]
fn a_second_viewer_on_a_used_code_is_refused() {
    let relay = RelayProcess::start(&scratch("second"), &[]);
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let mut first = Viewer::connect(&code, &args, "chat");
    first.events.event("waiting_for_consent");
    let mut second = Viewer::connect(&code, &args, "chat");
    let ended = second.events.event("session_ended");
    assert_eq!(ended["reason"], "code_expired");
    assert!(
        ended["detail"]
            .as_str()
            .unwrap_or("")
            .contains("already used"),
        "{ended}"
    );
    // The first one is unaffected.
    agent.answer("y");
    first.events.event("session_started");
}
