//! Files through the real relay over real QUIC: sent by the headless
//! viewer, received by the agent into its receive folder, checked with
//! `sha256sum` and `diff -r`; refused without the grant; stopped by the
//! person, leaving nothing; cut by a killed viewer and resumed by the
//! next session; fetched only after the person's yes.

use std::path::{Path, PathBuf};
use std::process::Command;
use tessera_tests::{scratch, sha256sum, Agent, RelayProcess, SmallDisk, Viewer};

/// A session where the viewer asks for `request` and the person says
/// yes; both receive into folders of their own under `dir`.
fn session(relay: &RelayProcess, dir: &Path, request: &str) -> (Agent, Viewer) {
    let mut args = relay.client_args();
    args.extend([
        "--receive-dir".into(),
        dir.join("agent").display().to_string(),
    ]);
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let viewer_dir = dir.join("viewer").display().to_string();
    let who = [
        "--name",
        "Jane",
        "--org",
        "Acme IT",
        "--receive-dir",
        &viewer_dir,
    ];
    let mut viewer = Viewer::connect_as(&code, &relay.client_args(), request, &who);
    agent.answer("y");
    agent.events.event("session_started");
    viewer.events.event("session_started");
    (agent, viewer)
}

/// `bytes` random bytes at `path`.
fn random_file(path: &Path, bytes: usize) {
    let status = Command::new("head")
        .args(["-c", &bytes.to_string(), "/dev/urandom"])
        .stdout(std::fs::File::create(path).expect("create"))
        .status()
        .expect("head");
    assert!(status.success());
}

/// The lines of every session record (both ends, every test) holding
/// `text`.
fn record_lines(text: &str) -> String {
    let out = Command::new("grep")
        .args(["-rh", "--include=log.jsonl", text])
        .arg(tessera_tests::data_home())
        .output()
        .expect("grep");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every name under `dir`, relative, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&rel)) else {
            continue;
        };
        for entry in entries.flatten() {
            let rel = rel.join(entry.file_name());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(rel.clone());
            }
            found.push(rel.display().to_string());
        }
    }
    found.sort();
    found
}

#[test]
fn a_file_and_a_folder_arrive_exact_shown_and_recorded() {
    let dir = scratch("files-send");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = session(&relay, &dir, "files,chat");
    let source = dir.join("out");
    std::fs::create_dir_all(&source).expect("mkdir");
    let file = source.join("patch.bin");
    random_file(&file, 5 * 1024 * 1024 + 123);
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        file.display()
    ));
    let offered = viewer.events.event("file_offered");
    assert_eq!(offered["dir"], "to_agent");
    assert_eq!(offered["bytes"], 5 * 1024 * 1024 + 123);
    let done = agent.events.event("file_done");
    assert_eq!(done["name"], "patch.bin");
    let kept = dir.join("agent/patch.bin");
    assert_eq!(done["sha256"], sha256sum(&file));
    assert_eq!(sha256sum(&kept), sha256sum(&file), "bit-exact");
    assert_eq!(viewer.events.event("file_done")["sha256"], sha256sum(&file));
    viewer.events.event("file_complete");
    agent.events.event("file_complete");
    agent.terminal.wait_for("Jane is sending you \"patch.bin\"");
    agent.terminal.wait_for("Received \"patch.bin\"");

    // A folder: nested files, an empty folder, an executable.
    let folder = source.join("logs");
    std::fs::create_dir_all(folder.join("app/old")).expect("mkdir");
    std::fs::create_dir_all(folder.join("empty")).expect("mkdir");
    for i in 0..40 {
        let sub = if i % 2 == 0 { "app" } else { "app/old" };
        random_file(&folder.join(format!("{sub}/{i}.log")), 1000 + i * 97);
    }
    let script = folder.join("fix.sh");
    std::fs::write(&script, "#!/bin/sh\necho fixed\n").expect("write");
    Command::new("chmod")
        .args(["755"])
        .arg(&script)
        .status()
        .expect("chmod");
    // The same name again: kept beside, never over the first.
    std::fs::write(folder.join("patch.bin"), "x").expect("write");
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        folder.display()
    ));
    let offered = agent.events.event("file_offered");
    assert_eq!(offered["files"], 42);
    agent.events.event("file_complete");
    viewer.events.event("file_complete");
    let diff = Command::new("diff")
        .arg("-r")
        .arg(&folder)
        .arg(dir.join("agent/logs"))
        .output()
        .expect("diff");
    assert!(
        diff.status.success(),
        "{}",
        String::from_utf8_lossy(&diff.stdout)
    );
    let mode = std::fs::metadata(dir.join("agent/logs/fix.sh")).expect("kept");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o111, 0o111, "still runs");
    assert!(
        !names(&dir.join("agent"))
            .iter()
            .any(|n| n.contains("tessera-part")),
        "no temporary file left"
    );

    // What a walk leaves out is said to whoever sends.
    let linked = source.join("linked");
    std::fs::create_dir_all(&linked).expect("mkdir");
    std::fs::write(linked.join("real.txt"), "real").expect("write");
    std::os::unix::fs::symlink("/etc/passwd", linked.join("passwd")).expect("link");
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        linked.display()
    ));
    let offered = viewer
        .events
        .event_where("file_offered", |e| e["name"] == "linked");
    let left_out = offered["left_out"].to_string();
    assert!(
        left_out.contains("passwd: it is a symbolic link"),
        "{offered}"
    );
    agent
        .events
        .event_where("file_done", |e| e["name"] == "linked/real.txt");
    assert!(!dir.join("agent/linked/passwd").exists());

    // Both records keep each file: name, size, SHA-256, direction.
    viewer.command(r#"{"cmd":"end"}"#);
    let (status, _) = viewer.wait();
    assert!(status.success());
    let _ = agent.wait();
    let lines = Command::new("grep")
        .args(["-rh", "--include=log.jsonl", "\"k\":\"file\""])
        .arg(tessera_tests::data_home())
        .output()
        .expect("grep");
    let text = String::from_utf8_lossy(&lines.stdout);
    assert!(
        text.contains(&sha256sum(&file)) && text.contains("\"dir\":\"to_agent\""),
        "{text}"
    );
    let offered = record_lines("\"k\":\"file_offered\"");
    assert!(
        offered.contains("\"name\":\"logs\",\"files\":42"),
        "{offered}"
    );
}

#[test]
fn without_the_files_grant_nothing_moves() {
    let dir = scratch("files-refused");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (_agent, mut viewer) = session(&relay, &dir, "chat");
    let file = dir.join("a.txt");
    std::fs::write(&file, "hello").expect("write");
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        file.display()
    ));
    let refused = viewer.events.event("refused");
    assert_eq!(refused["permission"], "files");
    viewer.command(r#"{"cmd":"fetch_file","path":"/etc/hostname"}"#);
    assert_eq!(viewer.events.event("refused")["permission"], "files");
}

#[test]
fn a_file_that_cannot_be_read_is_said_and_the_session_goes_on() {
    let dir = scratch("files-unreadable");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = session(&relay, &dir, "files,chat");
    viewer.command(r#"{"cmd":"send_file","path":"/no/such/file.txt"}"#);
    let failed = viewer.events.event("file_failed");
    assert_eq!(failed["why"], "failed");
    assert!(
        failed["detail"]
            .as_str()
            .unwrap_or("")
            .contains("/no/such/file.txt"),
        "{failed}"
    );
    viewer.command(r#"{"cmd":"chat","text":"still here"}"#);
    assert_eq!(agent.events.event("chat")["text"], "still here");
    assert!(
        names(&dir).iter().all(|n| !n.starts_with("agent/")),
        "nothing received"
    );
}

/// Waits for the agent's first report of bytes received.
fn first_bytes(agent: &mut Agent, at_least: u64) {
    agent
        .events
        .event_where("file_progress", |e| e["bytes"].as_u64() >= Some(at_least));
}

#[test]
fn the_person_stops_a_transfer_and_nothing_of_it_is_left() {
    let dir = scratch("files-stop");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = session(&relay, &dir, "files");
    let file = dir.join("big.bin");
    random_file(&file, 256 * 1024 * 1024);
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        file.display()
    ));
    first_bytes(&mut agent, 1);
    agent.terminal.type_line("/cancel 0");
    let failed = agent.events.event("file_failed");
    assert_eq!(
        (failed["id"].as_u64(), &failed["why"]),
        (Some(0), &serde_json::json!("stopped"))
    );
    assert_eq!(viewer.events.event("file_failed")["why"], "stopped");
    agent.terminal.wait_for("Transfer 0 stopped: on request");
    tessera_tests::wait_until("the half-written file is removed", || {
        names(&dir.join("agent")).is_empty()
    });
    // The session goes on: the next send arrives.
    let small = dir.join("small.txt");
    std::fs::write(&small, "still here\n").expect("write");
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        small.display()
    ));
    assert_eq!(agent.events.event("file_done")["name"], "small.txt");
    assert_eq!(names(&dir.join("agent")), ["small.txt"]);
}

#[test]
fn a_transfer_cut_by_a_killed_viewer_resumes_in_the_next_session() {
    let dir = scratch("files-resume");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let file = dir.join("big.bin");
    random_file(&file, 200 * 1024 * 1024 + 4321);
    let (mut agent, mut viewer) = session(&relay, &dir, "files");
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        file.display()
    ));
    first_bytes(&mut agent, 3 * 1024 * 1024);
    viewer.kill();
    let (_, _) = agent.wait();
    // In between, nothing but the temporary file.
    assert_eq!(names(&dir.join("agent")), [".big.bin.tessera-part"]);
    let (mut agent, mut viewer) = session(&relay, &dir, "files");
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        file.display()
    ));
    let offered = agent.events.event("file_offered");
    let resumed = offered["resumed"].as_u64().expect("resumed");
    assert!(
        resumed >= 1024 * 1024,
        "whole checked chunks resumed: {offered}"
    );
    let done = agent.events.event("file_done");
    assert_eq!(done["sha256"], sha256sum(&file));
    assert_eq!(sha256sum(&dir.join("agent/big.bin")), sha256sum(&file));
    viewer.events.event("file_complete");
    assert_eq!(names(&dir.join("agent")), ["big.bin"]);
}

#[test]
fn a_fetch_needs_the_persons_yes() {
    let dir = scratch("files-fetch");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = session(&relay, &dir, "files");
    let theirs = dir.join("rapport.txt");
    random_file(&theirs, 300_000);
    let fetch = format!(r#"{{"cmd":"fetch_file","path":"{}"}}"#, theirs.display());
    viewer.command(&fetch);
    agent
        .terminal
        .wait_for("Jane (NOT verified) asks for a copy");
    agent.terminal.wait_for("Send it? [y/N]");
    agent.terminal.type_line("n");
    let failed = viewer.events.event("file_failed");
    assert_eq!(failed["why"], "denied");
    assert!(names(&dir.join("viewer")).is_empty(), "nothing moved");
    viewer.command(&fetch);
    agent.terminal.wait_for("Send it? [y/N]");
    agent.terminal.type_line("y");
    let done = viewer.events.event("file_done");
    assert_eq!(done["dir"], "to_viewer");
    assert_eq!(done["sha256"], sha256sum(&theirs));
    assert_eq!(
        sha256sum(&dir.join("viewer/rapport.txt")),
        sha256sum(&theirs)
    );
    assert_eq!(
        agent.events.event("file_done")["sha256"],
        sha256sum(&theirs)
    );
    // The person's answers are on their record, with the path they read.
    viewer.command(r#"{"cmd":"end"}"#);
    let _ = viewer.wait();
    let _ = agent.wait();
    let answers = record_lines(&theirs.display().to_string());
    assert!(
        answers.contains("\"allowed\":false") && answers.contains("\"allowed\":true"),
        "{answers}"
    );
}

#[test]
fn a_full_disk_stops_the_transfer_on_both_ends_and_leaves_nothing() {
    let dir = scratch("files-full");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let disk = SmallDisk::mount(&dir.join("agent"), "3m");
    let (mut agent, mut viewer) = session(&relay, &dir, "files");
    let file = dir.join("big.bin");
    random_file(&file, 8 * 1024 * 1024);
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        file.display()
    ));
    let failed = agent.events.event("file_failed");
    assert_eq!(failed["why"], "disk_full", "{failed}");
    assert_eq!(viewer.events.event("file_failed")["why"], "disk_full");
    agent.terminal.wait_for("the disk is full");
    tessera_tests::wait_until("the half-written file is removed", || {
        names(&disk.0).is_empty()
    });
    // The session goes on: what fits arrives.
    let small = dir.join("small.txt");
    std::fs::write(&small, "fits\n").expect("write");
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        small.display()
    ));
    assert_eq!(agent.events.event("file_done")["name"], "small.txt");
    assert_eq!(names(&disk.0), ["small.txt"]);
}

#[test]
fn a_gibibyte_through_the_relay_arrives_bit_exact() {
    let dir = scratch("files-gib");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = session(&relay, &dir, "files");
    let file = dir.join("image.iso");
    random_file(&file, 1 << 30);
    viewer.command(&format!(
        r#"{{"cmd":"send_file","path":"{}"}}"#,
        file.display()
    ));
    let expected = sha256sum(&file);
    let done = agent
        .events
        .event_within("file_done", std::time::Duration::from_secs(300));
    assert_eq!(done["bytes"], 1u64 << 30);
    assert_eq!(done["sha256"], expected, "the receiver's own hash");
    assert_eq!(viewer.events.event("file_done")["sha256"], expected);
    assert_eq!(
        sha256sum(&dir.join("agent/image.iso")),
        expected,
        "bit-exact"
    );
    // Both copies go at once: the disk is the suite's.
    std::fs::remove_file(&file).expect("rm");
    std::fs::remove_file(dir.join("agent/image.iso")).expect("rm");
}
