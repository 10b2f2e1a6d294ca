//! Files as the person sees them in the agent's window (Xvfb, keys by
//! `xdotool`): a transfer opens the indicator with its progress and a
//! Stop that stops it on both ends; a fetch is a question with Deny
//! focused, and only its armed yes sends the copy.

use std::path::Path;
use std::process::Command;
use tessera_tests::technician::{open_window, CONNECT, IN_SESSION};
use tessera_tests::window::{allowed, waiting, ASKING, DETAILS};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, RelayProcess, Viewer};

/// The fetch question's title.
const FETCH: &str = "Tessera: (Send a file to the technician|Envoyer un fichier au technicien)";

/// A file of `bytes` zeros (sparse: quick to make, slow enough to send).
fn sparse_file(path: &Path, bytes: u64) {
    let status = Command::new("truncate")
        .args(["-s", &bytes.to_string()])
        .arg(path)
        .status()
        .expect("truncate");
    assert!(status.success());
}

#[test]
fn a_transfer_shows_in_the_indicator_and_its_stop_stops_it() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("files-window-stop");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let receive = dir.join("receive").display().to_string();
    let (mut agent, mut viewer, _) =
        allowed(&x, &relay, "fr", "files", &["--receive-dir", &receive]);
    let file = dir.join("gros.bin");
    sparse_file(&file, 4 << 30);
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        file.display()
    ));
    agent
        .events
        .event_where("file_progress", |e| e["bytes"].as_u64() > Some(0));
    x.focus_window_titled(DETAILS);
    x.screenshot_to(&dir.join("transfer-fr.png"));
    // Take back (files), then the transfer's Stop.
    x.keys(&["Tab", "Tab", "Return"]);
    let failed = agent.events.event("file_failed");
    assert_eq!(failed["why"], "stopped");
    assert_eq!(viewer.events.event("file_failed")["why"], "stopped");
    tessera_tests::wait_until("the half-written file is removed", || {
        std::fs::read_dir(dir.join("receive")).is_ok_and(|d| d.count() == 0)
    });
    x.screenshot_to(&dir.join("stopped-fr.png"));
}

#[test]
fn a_fetch_is_asked_in_the_window_and_deny_is_the_default() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("files-window-fetch");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let viewer_dir = dir.join("viewer");
    let theirs = dir.join("journal.log");
    std::fs::write(&theirs, "printer offline at 09:12\n").expect("write");
    let (mut agent, code, _) = waiting(&x, &relay, "en", &[]);
    let receive = viewer_dir.display().to_string();
    let who = [
        "--name",
        "Jane Doe",
        "--org",
        "Acme IT",
        "--receive-dir",
        &receive,
    ];
    let mut viewer = Viewer::connect_as(&code, &relay.client_args(), "files", &who);
    x.focus_window_titled(ASKING);
    x.keys(&["Tab", "Return"]);
    agent.events.event("session_started");
    viewer.events.event("session_started");
    let fetch = format!(r#"{{"cmd":"fetch_file","path":"{}"}}"#, theirs.display());
    viewer.command(&fetch);
    // Enter: Deny has the focus.
    x.focus_window_titled(FETCH);
    x.screenshot_to(&dir.join("fetch-en.png"));
    x.keys(&["Return"]);
    assert_eq!(viewer.events.event("file_failed")["why"], "denied");
    viewer.command(&fetch);
    x.focus_window_titled(FETCH);
    x.keys(&["Tab", "Return"]);
    let done = viewer.events.event("file_done");
    assert_eq!(done["name"], "journal.log");
    assert_eq!(
        std::fs::read_to_string(viewer_dir.join("journal.log")).expect("fetched"),
        "printer offline at 09:12\n"
    );
}

/// The technician's window: the bar's Files button, and the panel's send
/// and fetch fields (egui lays out the same everywhere).
const FILES_BUTTON: (i32, i32) = (533, 12);
const SEND_FIELD: (i32, i32) = (1064, 85);
const FETCH_FIELD: (i32, i32) = (1064, 150);

#[test]
fn the_technician_sends_and_fetches_from_the_window() {
    let technician = Xvfb::start("1280x800x24");
    let dir = scratch("files-window-technician");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let mut args = relay.client_args();
    args.extend([
        "--receive-dir".into(),
        dir.join("person").display().to_string(),
    ]);
    let mut agent = tessera_tests::Agent::start(&args);
    let code = agent.code();
    let home = dir.join("home");
    // Where fetched files land is the technician's choice, kept with the
    // window's settings.
    let inbox = dir.join("inbox");
    let inbox_arg = inbox.display().to_string();
    let mut viewer = open_window(
        &technician,
        &relay.client_args(),
        "files",
        &home,
        &["--receive-dir", &inbox_arg],
    );
    technician.focus_window_titled(CONNECT);
    technician.xdotool(&["type", "--delay", "40", &code]);
    technician.keys(&["Return"]);
    agent.answer("y");
    viewer.events.event("session_started");
    let window = technician.focus_window_titled(IN_SESSION);
    technician.screenshot_to(&dir.join("bar-en.png"));
    technician.click_in(&window, FILES_BUTTON.0, FILES_BUTTON.1);
    technician.screenshot_to(&dir.join("panel-en.png"));
    let ours = dir.join("patch.sh");
    std::fs::write(&ours, "#!/bin/sh\necho patched\n").expect("write");
    technician.click_in(&window, SEND_FIELD.0, SEND_FIELD.1);
    technician.xdotool(&["type", "--delay", "10", &ours.display().to_string()]);
    technician.keys(&["Return"]);
    assert_eq!(agent.events.event("file_done")["name"], "patch.sh");
    viewer.events.event("file_complete");
    let theirs = dir.join("journal.log");
    std::fs::write(&theirs, "printer offline\n").expect("write");
    technician.click_in(&window, FETCH_FIELD.0, FETCH_FIELD.1);
    technician.xdotool(&["type", "--delay", "10", &theirs.display().to_string()]);
    technician.keys(&["Return"]);
    agent.terminal.wait_for("Send it? [y/N]");
    agent.terminal.type_line("y");
    viewer.events.event("file_complete");
    technician.screenshot_to(&dir.join("panel-done-en.png"));
    assert_eq!(
        std::fs::read_to_string(inbox.join("journal.log")).expect("fetched"),
        "printer offline\n"
    );
    assert!(!home.join("Downloads").exists(), "not the default folder");
    let settings = std::fs::read_to_string(home.join(".config/tessera/viewer.json"))
        .expect("the window's settings");
    assert!(settings.contains(&inbox_arg), "{settings}");
}
