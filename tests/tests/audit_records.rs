//! Every session on the record, through the real relay, agent and viewer:
//! both ends write their records, cosign each other's checkpoints, and
//! the auditor's `tessera-viewer audit` proves them whole and agreeing;
//! a changed byte is found at its event.

use std::path::{Path, PathBuf};
use std::process::Command;
use tessera_tests::xvfb::read_png_rgb;
use tessera_tests::{bin, scratch, wait_until, Agent, RelayProcess, SmallDisk, Viewer};

/// The one record folder under `dir`.
fn record_in(dir: &Path) -> PathBuf {
    let folders: Vec<_> = std::fs::read_dir(dir)
        .expect("the record folder exists")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders[0].clone()
}

/// Headless Chromium on `page` with `mode` (`--dump-dom`, or
/// `--screenshot=FILE`): what it printed.
fn chromium(root: &Path, page: &Path, mode: &str) -> String {
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1000,1800",
        ])
        .arg(format!(
            "--user-data-dir={}",
            root.join("chromium").display()
        ))
        .arg(mode)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs (bash tests/setup.sh --tests installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `tessera-viewer audit ARGS`: its exit code and what it printed.
fn audit(args: &[&Path], sub: &str, extra: &[&str]) -> (i32, String) {
    let out = Command::new(bin("tessera-viewer"))
        .args(["audit", sub])
        .args(args)
        .args(extra)
        .output()
        .expect("audit runs");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_full_session_is_recorded_on_both_ends_and_verifies() {
    let root = scratch("audit-full");
    let (agent_dir, viewer_dir) = (root.join("agent"), root.join("viewer"));
    let relay = RelayProcess::start(&root.join("relay"), &[]);
    let mut args = relay.client_args();
    let mut agent = Agent::start(
        &[
            args.clone(),
            vec!["--record-dir".into(), agent_dir.display().to_string()],
        ]
        .concat(),
    );
    let code = agent.code();
    let viewer_record = viewer_dir.display().to_string();
    let who = [
        "--name",
        "Jane",
        "--org",
        "Acme IT",
        "--record-dir",
        &viewer_record,
        "--ticket",
        "INC-1042",
        "--priority",
        "high",
    ];
    let mut viewer = Viewer::connect_as(&code, &args, "view,control,chat", &who);
    agent
        .terminal
        .wait_for("Ticket INC-1042, priority high (as given by the technician)");
    agent
        .terminal
        .wait_for("This session is recorded, on this computer and by the technician's side.");
    agent.answer("y");
    for events in [&mut agent.events, &mut viewer.events] {
        events.event("session_started");
    }
    // The technician sees the screen: it is on both recordings. A live
    // snapshot, to compare with the replay of that moment.
    viewer.events.event("frame");
    let live = root.join("live.png");
    viewer.command(&format!(
        r#"{{"cmd":"snapshot","path":"{}"}}"#,
        live.display()
    ));
    viewer.events.event("snapshot");
    viewer.command(r#"{"cmd":"chat","text":"Je regarde votre imprimante"}"#);
    agent.events.event("chat");
    agent.terminal.type_line("Merci !");
    viewer.events.event_where("chat", |e| e["from"] == "agent");
    viewer.command(r#"{"cmd":"text","text":"lpstat -p"}"#);
    agent.terminal.type_line("/revoke control");
    viewer.events.event("grant_changed");
    // A line of the intervention report: shown to the person, on both
    // records.
    viewer.command(r#"{"cmd":"note","text":"Pilote réinstallé, file vidée"}"#);
    agent.events.event("note");
    agent
        .terminal
        .wait_for("[Jane, for the intervention report] Pilote réinstallé, file vidée");
    viewer.command(r#"{"cmd":"end"}"#);
    for events in [&mut agent.events, &mut viewer.events] {
        assert_eq!(events.event("session_ended")["reason"], "technician_ended");
    }
    agent
        .terminal
        .wait_for("This session was recorded on this computer");
    assert!(viewer.wait().0.success());
    assert!(agent.wait().0.success());
    args.clear();

    let (a, v) = (record_in(&agent_dir), record_in(&viewer_dir));
    let (code, out) = audit(&[&a, &v], "verify", &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches(": valid: ").count(), 2, "{out}");
    assert!(out.contains("the two ends agree"), "{out}");
    // Both screen recordings hold what crossed: at least the first picture.
    assert_eq!(out.matches("; screen: ").count(), 2, "{out}");
    assert!(!out.contains("screen: 0 segments"), "{out}");

    let (code, out) = audit(&[&a], "show", &["--json"]);
    assert_eq!(code, 0, "{out}");
    let kinds: Vec<String> = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|e| e["k"].as_str().map(String::from))
        .collect();
    for kind in [
        "log_opened",
        "nameplate",
        "technician",
        "consent",
        "chat",
        "text",
        "grant_changed",
        "ticket",
        "note",
        "peer_log_key",
        "session_ended",
        "log_closed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "no {kind} in {kinds:?}");
    }
    assert!(
        out.contains("lpstat -p"),
        "the technician's typing is on the record"
    );

    // The replay of the snapshot's moment is the live snapshot, pixel
    // for pixel.
    let (code, out) = audit(&[&v], "show", &["--json"]);
    assert_eq!(code, 0, "{out}");
    let at_us = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["k"] == "snapshot")
        .and_then(|e| e["t_us"].as_u64())
        .expect("the snapshot is on the viewer's record");
    let replayed = root.join("replayed.png");
    let at = format!("{}.{:06}", at_us / 1_000_000, at_us % 1_000_000);
    let (code, out) = audit(
        &[&v],
        "replay",
        &["--at", &at, "--snapshot", &replayed.display().to_string()],
    );
    assert_eq!(code, 0, "{out}");
    let (live, replayed) = (read_png_rgb(&live), read_png_rgb(&replayed));
    assert_eq!((live.0, live.1), (replayed.0, replayed.1));
    assert!(
        live.2 == replayed.2,
        "the replay differs from the live snapshot"
    );

    // The last event, proved on its own, under a checkpoint the other
    // end cosigned after both closed.
    let vkey = |record: &Path| {
        let (_, shown) = audit(&[record], "show", &[]);
        shown
            .lines()
            .find_map(|l| l.strip_prefix("verifier key: "))
            .expect("show prints the verifier key")
            .to_string()
    };
    let (key_a, key_v) = (vkey(&a), vkey(&v));
    let (_, out) = audit(&[&a], "verify", &[]);
    let events: u64 = out
        .split(": valid: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the event count");
    let proof = root.join("last.proof");
    let last = (events - 1).to_string();
    let proof_arg = proof.display().to_string();
    let (code, out) = audit(&[&a], "prove", &[&last, "--out", &proof_arg]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = audit(
        &[&proof],
        "verify-proof",
        &["--key", &key_a, "--witness", &key_v],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cosigned by"), "{out}");

    // The person's own list of records, and their report.
    let sessions = |lang: &str, extra: &[&str]| {
        let out = Command::new(bin("tessera-agent"))
            .env("XDG_DATA_HOME", tessera_tests::data_home())
            .args(["sessions", "--lang", lang, "--record-dir"])
            .arg(&agent_dir)
            .args(extra)
            .output()
            .expect("sessions runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listed = sessions("en", &[]);
    assert!(
        listed.contains("1. ") && listed.contains("Jane (Acme IT), ticket INC-1042"),
        "{listed}"
    );
    assert!(
        listed.contains("ended: the technician ended the session  record verified"),
        "{listed}"
    );
    // The key the person's computer signs with is the one that certified
    // the record's key.
    let (_, json) = audit(&[&a], "show", &["--json"]);
    let header: serde_json::Value =
        serde_json::from_str(json.lines().next().expect("a header")).expect("JSON");
    let device = header["certified_by"]["key"].as_str().expect("a key");
    assert!(
        listed.contains(&format!(
            "This computer's key (it signs its records): {device}"
        )),
        "{listed}"
    );
    // `open` writes the report afresh and hands it to the browser (here
    // none: it says where the page is).
    let opened = Command::new(bin("tessera-agent"))
        .env("XDG_DATA_HOME", tessera_tests::data_home())
        .env("PATH", "/nonexistent")
        .args(["sessions", "--lang", "fr", "--record-dir"])
        .arg(&agent_dir)
        .args(["open", "1"])
        .output()
        .expect("sessions open runs");
    assert!(opened.status.success(), "{opened:?}");
    let page = String::from_utf8_lossy(&opened.stdout).trim().to_string();
    let page = std::fs::read_to_string(&page).expect("the page open wrote");
    assert!(page.contains("Rapport de session d'assistance à distance"));
    let _ = std::fs::remove_file(String::from_utf8_lossy(&opened.stdout).trim());
    // The person's report, in French from start to end.
    let mine = root.join("mine.html");
    sessions(
        "fr",
        &["export", "1", "--html", &mine.display().to_string()],
    );
    let dom = chromium(&root, &mine, "--dump-dom");
    for shown in [
        "Rapport de session d'assistance à distance",
        "Enregistrement vérifié : complet et non modifié.",
        "valide : ",
        "Jane, Acme IT, NON vérifié (aucun certificat d'organisation)",
        "Pilote réinstallé, file vidée",
        "voir l'écran, contrôler, discussion",
        "le technicien a arrêté la session",
        "message du technicien : Je regarde votre imprimante",
        "message de la personne : Merci !",
        "tapé « lpstat -p",
        "autorisations modifiées : voir l'écran, discussion",
    ] {
        assert!(
            dom.contains(shown),
            "the French report does not show {shown:?}"
        );
    }

    // The report for people, opened in a real browser.
    let html = root.join("report.html");
    let html_arg = html.display().to_string();
    let (code, out) = audit(&[&a, &v], "export", &["--lang", "en", "--html", &html_arg]);
    assert_eq!(code, 0, "{out}");
    let dom = chromium(&root, &html, "--dump-dom");
    for shown in [
        "Record verified: whole and unaltered.",
        "Jane, Acme IT, NOT verified (no organisation certificate)",
        "INC-1042 (high)",
        "Pilote réinstallé, file vidée",
        "Je regarde votre imprimante",
        "view, control, chat",
        "data:image/png;base64,",
    ] {
        assert!(dom.contains(shown), "the report does not show {shown:?}");
    }
    let screenshot = root.join("report.png");
    chromium(
        &root,
        &html,
        &format!("--screenshot={}", screenshot.display()),
    );
    let (width, height, _) = read_png_rgb(&screenshot);
    assert_eq!((width, height), (1000, 1800));

    // One byte of the chat changed: found at its event.
    let log = std::fs::read(a.join("log.jsonl")).expect("the log");
    let at = log
        .windows(10)
        .position(|w| w == b"imprimante")
        .expect("the chat is there");
    let mut changed = log.clone();
    changed[at] = b'I';
    let tampered = root.join("tampered");
    std::fs::create_dir_all(&tampered).expect("dir");
    std::fs::write(tampered.join("log.jsonl"), &changed).expect("written");
    let (code, out) = audit(&[&tampered], "verify", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("NOT VALID: event "), "{out}");
}

/// Starts a running session (view and chat) whose two ends keep their
/// records under `root`; the agent counts typed text, never keeps it.
fn recorded_session(root: &Path, relay: &RelayProcess) -> (Agent, Viewer) {
    let args = relay.client_args();
    let agent_dir = root.join("agent").display().to_string();
    let mut agent = Agent::start(
        &[
            args.clone(),
            vec!["--record-dir".into(), agent_dir],
            vec!["--record-typing".into(), "counts".into()],
        ]
        .concat(),
    );
    let code = agent.code();
    let viewer_dir = root.join("viewer").display().to_string();
    let who = ["--name", "Jane", "--record-dir", &viewer_dir];
    let mut viewer = Viewer::connect_as(&code, &args, "view,chat", &who);
    agent.answer("y");
    for events in [&mut agent.events, &mut viewer.events] {
        events.event("session_started");
    }
    (agent, viewer)
}

#[test]
fn an_agent_killed_mid_session_leaves_a_valid_truncated_record() {
    let root = scratch("audit-kill");
    let relay = RelayProcess::start(&root.join("relay"), &[]);
    let (mut agent, mut viewer) = recorded_session(&root, &relay);
    // Typing (refused: no control), counted on the record, never kept.
    viewer.command(r#"{"cmd":"text","text":"motdepasse"}"#);
    viewer.events.event("input_refused");
    viewer.command(r#"{"cmd":"chat","text":"avant"}"#);
    agent.events.event("chat");
    // The second that held the chat is sealed: a checkpoint follows it.
    let log = record_in(&root.join("agent")).join("log.jsonl");
    wait_until("the chat sealed in the agent's record", || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        text.find("avant")
            .is_some_and(|at| text[at..].contains("{\"checkpoint\""))
    });
    viewer.command(r#"{"cmd":"chat","text":"pendant"}"#);
    agent.events.event("chat");
    agent.kill();
    assert_eq!(
        viewer.events.event("session_ended")["reason"],
        "connection_lost"
    );
    viewer.wait();

    let (a, v) = (
        record_in(&root.join("agent")),
        record_in(&root.join("viewer")),
    );
    let (code, out) = audit(&[&a], "verify", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(": truncated after event "), "{out}");
    // What was sealed before the kill is signed.
    let (_, shown) = audit(&[&a], "show", &["--json"]);
    let chat = shown
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["k"] == "chat" && e["fact"]["text"] == "avant")
        .expect("the first chat is on the record");
    assert_eq!(chat["signed"], true, "{chat}");
    let typed = shown
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["k"] == "text")
        .expect("the typing is on the record");
    assert_eq!(typed["fact"]["chars"], 10, "{typed}");
    assert!(typed["fact"].get("text").is_none(), "{typed}");
    let bytes = std::fs::read(&log).expect("the log");
    assert!(!bytes.windows(10).any(|w| w == b"motdepasse"));
    // At most the last second is lost: the writer seals each second (a
    // tick, then the checkpoint that signs it), so no tick, and thus no
    // whole second, lies among what is not signed, but possibly the
    // very last line (killed between the tick and its checkpoint).
    let (_, all) = audit(&[&a], "show", &["--json", "--all"]);
    let events: Vec<serde_json::Value> = all
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["type"] == "event")
        .collect();
    let unsigned: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["signed"] == false).collect();
    let (last, before) = unsigned
        .split_last()
        .map_or((None, &[][..]), |(l, b)| (Some(l), b));
    assert!(
        before.iter().all(|e| e["k"] != "tick"),
        "more than a second unsigned: {unsigned:?}"
    );
    if let Some(last) = last {
        let first = unsigned[0]["t_us"].as_u64().expect("t_us");
        let sealed = events
            .iter()
            .rev()
            .find(|e| e["k"] == "tick" && e["signed"] == true)
            .and_then(|e| e["t_us"].as_u64());
        eprintln!(
            "unsigned: {} events from +{first} µs to +{} µs, last sealed tick at {sealed:?}",
            unsigned.len(),
            last["t_us"]
        );
    }
    // The viewer's record is whole, and holds where the agent's stopped.
    let (code, out) = audit(&[&v], "verify", &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = audit(&[&a, &v], "verify", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the two ends agree"), "{out}");
    assert!(out.contains("holds the agent's checkpoint at"), "{out}");
}

#[test]
fn a_record_folder_that_cannot_be_written_stops_both_before_any_code() {
    let root = scratch("audit-unwritable");
    // A file where the folder should be: nothing can be made under it,
    // even by root.
    let not_a_folder = root.join("not-a-folder");
    std::fs::write(&not_a_folder, b"a file").expect("written");
    let record_dir = not_a_folder.join("sessions").display().to_string();
    let relay = RelayProcess::start(&root.join("relay"), &[]);
    let args = relay.client_args();
    let out = Command::new(bin("tessera-agent"))
        .args(&args)
        .args([
            "--ui",
            "tty",
            "--screen",
            "synthetic",
            "--record-dir",
            &record_dir,
        ])
        .env("XDG_DATA_HOME", tessera_tests::data_home())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the agent runs");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cannot keep session records in"), "{said}");
    assert!(said.contains("--record-dir"), "{said}");
    // The viewer, given a real code, stops before using it.
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let out = Command::new(bin("tessera-viewer"))
        .args(["connect", &code])
        .args(&args)
        .args(["--headless", "--record-dir", &record_dir])
        .env("XDG_DATA_HOME", tessera_tests::data_home())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the viewer runs");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cannot keep session records in"), "{said}");
    agent.kill();
}

#[test]
fn a_full_disk_ends_the_session_with_that_reason_on_both_sides() {
    let root = scratch("audit-full-disk");
    let disk = SmallDisk::mount(&root.join("agent"), "16k");
    let relay = RelayProcess::start(&root.join("relay"), &[]);
    let args = relay.client_args();
    let agent_dir = disk.0.display().to_string();
    let mut agent = Agent::start(&[args.clone(), vec!["--record-dir".into(), agent_dir]].concat());
    let code = agent.code();
    let mut viewer = Viewer::connect_as(&code, &args, "view,chat", &["--name", "Jane"]);
    agent.answer("y");
    // The screen fills the disk within the first seconds.
    for events in [&mut agent.events, &mut viewer.events] {
        assert_eq!(events.event("session_ended")["reason"], "recording_failed");
    }
    agent
        .terminal
        .wait_for("the session record could not be written");
    assert!(!agent.wait().0.success());
    viewer.wait();
}
