//! Sessions over a shaped link: both ends reach the real relay through
//! the harness's UDP impairment proxy (`tessera_tests::impair`), which
//! limits the rate, delays, loses and reorders packets each way. Loss is
//! recovered end to end: a file arrives bit-exact (`sha256sum`), chat
//! arrives, and the proxy's counts show the faults happened.

use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tessera_tests::impair::{ImpairedPath, Link};
use tessera_tests::{scratch, sha256sum, Agent, RelayProcess, Viewer};

#[test]
fn a_file_crosses_a_lossy_reordering_link_bit_exact() {
    let dir = scratch("shaped-file");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let addr = relay.addr.parse().expect("relay address");
    // Worse than a home link, so faults surely happen on a few thousand
    // packets: 2 % loss and 2 % reordering each way, 10 Mbit/s, 40 ms.
    let link = Link {
        loss: 0.02,
        reorder: 0.02,
        ..Link::home()
    };
    let viewer_path = ImpairedPath::start(addr, link, link);
    let agent_path = ImpairedPath::start(addr, link, link);

    let mut agent_args = agent_path.client_args(&relay.fingerprint);
    agent_args.extend([
        "--receive-dir".into(),
        dir.join("agent").display().to_string(),
    ]);
    let mut agent = Agent::start(&agent_args);
    let code = agent.code();
    let mut viewer = Viewer::connect(
        &code,
        &viewer_path.client_args(&relay.fingerprint),
        "files,chat",
    );
    agent.answer("y");
    agent.events.event("session_started");
    viewer.events.event("session_started");

    viewer.command(r#"{"cmd":"chat","text":"over a bad line"}"#);
    assert_eq!(agent.events.event("chat")["text"], "over a bad line");

    let file = dir.join("update.bin");
    let made = Command::new("head")
        .args(["-c", "1000000", "/dev/urandom"])
        .stdout(std::fs::File::create(&file).expect("create"))
        .status()
        .expect("head");
    assert!(made.success());
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        file.display()
    ));
    let done = agent
        .events
        .event_within("file_done", Duration::from_secs(120));
    assert_eq!(done["sha256"], sha256sum(&file));
    let kept = dir.join("agent").join("update.bin");
    assert_eq!(sha256sum(&kept), sha256sum(&file), "bit-exact");

    for path in [&viewer_path, &agent_path] {
        let counts = path.counts();
        assert!(counts.lost.load(Ordering::Relaxed) > 0, "{counts:?}");
        assert!(counts.reordered.load(Ordering::Relaxed) > 0, "{counts:?}");
    }
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}
