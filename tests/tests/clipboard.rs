//! The clipboard through the real relay, on a real X display (Xvfb),
//! copied and pasted with `xclip` as the person's programs would: only
//! with the grant, only a real copy (nothing at connect), never echoed,
//! each copy told to the person; contents never on the records.

use std::io::Write;
use std::process::{Command, Stdio};
use tessera_clipboard::image;
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, wait_until, Agent, RelayProcess, Viewer};

/// Copies `text` on display `x` as a program would (xclip keeps serving
/// it from the background).
fn copy(x: &Xvfb, text: &str) {
    let mut xclip = Command::new("xclip")
        .args(["-selection", "clipboard", "-i"])
        .env("DISPLAY", &x.display)
        .stdin(Stdio::piped())
        .spawn()
        .expect("xclip");
    xclip
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    assert!(xclip.wait().expect("xclip").success());
}

/// What a paste on display `x` gives.
fn paste(x: &Xvfb) -> String {
    let out = Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .env("DISPLAY", &x.display)
        .output()
        .expect("xclip");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn session(x: &Xvfb, relay: &RelayProcess, request: &str) -> (Agent, Viewer) {
    let display = std::path::Path::new(&x.display);
    let mut agent = Agent::start_env(&relay.client_args(), &[("DISPLAY", display)]);
    let code = agent.code();
    let mut viewer = Viewer::connect(&code, &relay.client_args(), request);
    agent.answer("y");
    agent.events.event("session_started");
    viewer.events.event("session_started");
    (agent, viewer)
}

#[test]
fn copies_cross_both_ways_only_when_made_and_never_echo() {
    let x = Xvfb::start("800x600x24");
    let dir = scratch("clipboard");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    // Already there before the session: never pushed at connect.
    copy(&x, "before the session");
    let (mut agent, mut viewer) = session(&x, &relay, "clipboard,chat");

    // Another program takes the selection with the same text (as a
    // clipboard manager does when the first one quits): not a copy.
    copy(&x, "before the session");
    // The person copies: it reaches the technician.
    copy(&x, "Erreur 0x80070005 : accès refusé");
    let got = viewer.events.event("clipboard");
    assert_eq!(got["from"], "agent");
    assert_eq!(
        got["text"], "Erreur 0x80070005 : accès refusé",
        "the first copy is the real one"
    );
    assert_eq!(agent.events.event("clipboard")["from"], "agent");
    agent.terminal.wait_for("went to Jane's clipboard");

    // The technician copies: it lands on the person's clipboard.
    viewer.command(r#"{"cmd":"clipboard","text":"sfc /scannow"}"#);
    assert_eq!(agent.events.event("clipboard")["from"], "viewer");
    agent
        .terminal
        .wait_for("Jane copied 12 bytes of text to your clipboard");
    wait_until("a paste gives the technician's text", || {
        paste(&x) == "sfc /scannow"
    });

    // Not echoed back: the next copy the technician gets is the person's.
    copy(&x, "after");
    let next = viewer
        .events
        .event_where("clipboard", |e| e["from"] == "agent");
    assert_eq!(
        next["text"], "after",
        "the technician's own text came back: {next}"
    );

    // Taken back: copies stay where they are.
    agent.terminal.type_line("/revoke clipboard");
    viewer.events.event("grant_changed");
    viewer.command(r#"{"cmd":"clipboard","text":"del C:\\"}"#);
    assert_eq!(viewer.events.event("refused")["permission"], "clipboard");
    copy(&x, "private");
    viewer.command(r#"{"cmd":"chat","text":"still here"}"#);
    agent.events.event("chat");
    viewer.command(r#"{"cmd":"end"}"#);
    viewer.events.event("session_ended");
    let seen = viewer.events.drain().join("\n");
    assert!(!seen.contains("private"), "a copy crossed after the revoke");
    let _ = viewer.wait();
    let _ = agent.wait();
    assert_eq!(paste(&x), "private", "the person's own copy, untouched");
    // The records keep sizes and hashes, never the text.
    let out = Command::new("grep")
        .args(["-rl", "--include=log.jsonl", "scannow"])
        .arg(tessera_tests::data_home())
        .output()
        .expect("grep");
    assert!(out.stdout.is_empty(), "a copy's text is on a record");
    let out = Command::new("grep")
        .args(["-rh", "--include=log.jsonl", "\"k\":\"clipboard\""])
        .arg(tessera_tests::data_home())
        .output()
        .expect("grep");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"bytes\":12"));
}

#[test]
fn the_technicians_window_shares_its_clipboard_while_it_has_the_focus() {
    use tessera_tests::technician::{open_window, CONNECT, IN_SESSION};
    let person = Xvfb::start("800x600x24");
    let technician = Xvfb::start("1280x800x24");
    let dir = scratch("clipboard-window");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let display = std::path::Path::new(&person.display);
    let mut agent = Agent::start_env(&relay.client_args(), &[("DISPLAY", display)]);
    let code = agent.code();
    let mut viewer = open_window(
        &technician,
        &relay.client_args(),
        "clipboard",
        &dir.join("home"),
        &[],
    );
    technician.focus_window_titled(CONNECT);
    technician.xdotool(&["type", "--delay", "40", &code]);
    technician.keys(&["Return"]);
    agent.answer("y");
    viewer.events.event("session_started");
    technician.focus_window_titled(IN_SESSION);
    // The person's copy lands on the technician's clipboard.
    copy(&person, "journalctl -u cups");
    viewer.events.event("clipboard");
    wait_until("the technician can paste it", || {
        paste(&technician) == "journalctl -u cups"
    });
    // The technician's copy, made while the window has the focus, lands
    // on the person's.
    copy(&technician, "lpstat -t");
    agent
        .events
        .event_where("clipboard", |e| e["from"] == "viewer");
    wait_until("the person can paste it", || paste(&person) == "lpstat -t");
}

#[test]
fn the_person_sees_each_copy_in_the_window() {
    use tessera_tests::window::{allowed, DETAILS};
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("clipboard-indicator");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer, _) = allowed(&x, &relay, "fr", "clipboard", &[]);
    viewer.command(r#"{"cmd":"clipboard","text":"ipconfig /flushdns"}"#);
    agent.events.event("clipboard");
    // The indicator opens and says it, in the person's language.
    x.focus_window_titled(DETAILS);
    wait_until("a paste gives it", || paste(&x) == "ipconfig /flushdns");
    x.screenshot_to(&dir.join("copied-fr.png"));
}

/// Makes an 8-bit PNG file with ImageMagick (a tool not of ours; a
/// clipboard holds 8 bits a channel).
fn make_png(path: &std::path::Path, spec: &str) {
    let made = Command::new("convert")
        .args(["-size", "97x61", spec, "-depth", "8"])
        .arg(path)
        .status()
        .expect("convert (imagemagick)");
    assert!(made.success());
}

/// Whether the image on display `x`'s clipboard has exactly the pixels
/// of `expected` (ImageMagick's `compare`: 0 pixels differ).
fn clipboard_image_is(x: &Xvfb, expected: &std::path::Path, scratch: &std::path::Path) -> bool {
    let got = scratch.join("pasted.png");
    let pasted = Command::new("xclip")
        .args(["-selection", "clipboard", "-t", "image/png", "-o"])
        .env("DISPLAY", &x.display)
        .stdout(std::fs::File::create(&got).expect("create"))
        .status()
        .expect("xclip");
    pasted.success()
        && Command::new("compare")
            .args(["-metric", "AE"])
            .arg(expected)
            .arg(&got)
            .arg("null:")
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

#[test]
fn images_cross_pixel_exact_both_ways_and_never_echo() {
    let x = Xvfb::start("800x600x24");
    let dir = scratch("clipboard-images");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = session(&x, &relay, "clipboard");

    // The technician's image lands on the person's clipboard, pixel for
    // pixel, and the person is told.
    let theirs = dir.join("technician.png");
    make_png(&theirs, "gradient:red-blue");
    viewer.command(&format!(
        r#"{{"cmd":"clipboard_image","path":"{}"}}"#,
        theirs.display()
    ));
    let got = agent.events.event("clipboard");
    assert_eq!(
        (&got["from"], &got["kind"]),
        (&"viewer".into(), &"png".into())
    );
    agent.terminal.wait_for("Jane copied an image of");
    wait_until("a paste gives the technician's pixels", || {
        clipboard_image_is(&x, &theirs, &dir)
    });

    // The person copies an image: the first copy the technician gets is
    // it (not the technician's own back), the same pixels: the PNG the
    // agent makes of them is the one these pixels make.
    let mine = dir.join("person.png");
    make_png(&mine, "plasma:fractal");
    let copied = Command::new("xclip")
        .args(["-selection", "clipboard", "-t", "image/png", "-i"])
        .arg(&mine)
        .env("DISPLAY", &x.display)
        .status()
        .expect("xclip");
    assert!(copied.success());
    let sent = agent
        .events
        .event_where("clipboard", |e| e["from"] == "agent");
    let came = viewer
        .events
        .event_where("clipboard", |e| e["from"] == "agent");
    assert_eq!(came["kind"], "png");
    assert_eq!(came["sha256"], sent["sha256"]);
    let pixels = image::from_png(&std::fs::read(&mine).expect("read")).expect("decode");
    let expected = image::to_png(&pixels).expect("encode");
    let expected = ring::digest::digest(&ring::digest::SHA256, &expected);
    assert_eq!(
        came["sha256"],
        hex::encode(expected.as_ref()),
        "not the person's pixels (the technician's own image echoed?)"
    );
    assert!(came.get("text").is_none());
    agent.terminal.wait_for("What you copied (an image of");

    // Not a PNG, or too large: refused by name, nothing sent.
    let fake = dir.join("fake.png");
    std::fs::write(&fake, b"GIF89a not a png").expect("write");
    viewer.command(&format!(
        r#"{{"cmd":"clipboard_image","path":"{}"}}"#,
        fake.display()
    ));
    assert_eq!(viewer.events.event("refused")["reason"], "not_png");
    viewer.command(r#"{"cmd":"end"}"#);
    viewer.events.event("session_ended");
    let _ = viewer.wait();
    let _ = agent.wait();
}
