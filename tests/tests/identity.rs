//! Technician identities end to end: an organisation's administrator and a
//! technician use the viewer's `identity` commands, the person's computer
//! trusts the organisation (a line in the user's trusted-orgs file), and
//! the agent's prompt says who vouches, or that nobody does and why.

use std::path::{Path, PathBuf};
use std::process::Command;
use tessera_proto::frame;
use tessera_proto::peer::{AgentMsg, ViewerMsg, MAX_PEER_FRAME};
use tessera_proto::{EndReason, Fingerprint, Grants};
use tessera_secure::identity::{
    certificate_text, issue, signed_hello, IdentityFile, Introduction, OrgKeyFile, SessionBinding,
    SigningKey, Statement,
};
use tessera_tests::{bin, rogue, scratch, Agent, RelayProcess, Viewer};

/// Runs `tessera-viewer identity ARGS`; its stdout, or a panic with stderr.
fn identity(args: &[&str]) -> String {
    let out = Command::new(bin("tessera-viewer"))
        .arg("identity")
        .args(args)
        .output()
        .expect("tessera-viewer");
    assert!(
        out.status.success(),
        "identity {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The public key `identity new` printed.
fn printed_key(out: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix("Your public key: "))
        .expect("a public key line")
        .to_string()
}

/// An organisation, Acme IT, and its technician Jane Doe with a
/// certificate; returns (identity file, config dir that trusts Acme).
fn certified_jane(dir: &Path) -> (PathBuf, PathBuf) {
    let org_key = dir.join("acme.key");
    let org_out = identity(&["org-new", "--org", "Acme IT", "--out", path(&org_key)]);
    let trust_line = org_out.lines().last().expect("the trust line").to_string();
    assert!(trust_line.ends_with(" Acme IT"), "{org_out}");
    let jane = dir.join("jane.identity");
    let out = identity(&[
        "new",
        "--name",
        "Jane Doe",
        "--org",
        "Acme IT",
        "--out",
        path(&jane),
    ]);
    let key = printed_key(&out);
    let cert = dir.join("jane.cert");
    identity(&[
        "sign",
        "--org-key",
        path(&org_key),
        "--name",
        "Jane Doe",
        "--key",
        &key,
        "--out",
        path(&cert),
    ]);
    identity(&["add-cert", "--identity", path(&jane), "--cert", path(&cert)]);
    let config = dir.join("config");
    std::fs::create_dir_all(config.join("tessera")).expect("config dir");
    std::fs::write(
        config.join("tessera").join("trusted-orgs"),
        format!("# Acme's key\n{trust_line}\n"),
    )
    .expect("trust file");
    (jane, config)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The person's agent (trusting what `config` says) meets the viewer
/// introduced by `who`; returns what the prompt said of the technician,
/// and the terminal's text. The person refuses.
fn prompt_for(relay: &RelayProcess, config: &Path, who: &[&str]) -> (serde_json::Value, String) {
    let mut agent = Agent::start_env(&relay.client_args(), &[("XDG_CONFIG_HOME", config)]);
    let code = agent.code();
    let mut viewer = Viewer::connect_as(&code, &relay.client_args(), "view", who);
    let asked = agent.events.event("consent_requested");
    agent.answer("n");
    assert_eq!(viewer.events.event("session_ended")["reason"], "denied");
    (
        asked["technician"].clone(),
        agent.terminal.shown().to_string(),
    )
}

#[test]
fn a_certified_technician_shows_as_verified_and_every_flaw_as_not() {
    let dir = scratch("identity");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (jane, config) = certified_jane(&dir);
    let as_jane = ["--identity", path(&jane)];

    let (who, terminal) = prompt_for(&relay, &config, &as_jane);
    assert_eq!(who["verified"], true, "{who}");
    assert_eq!(who["verified_by"], "Acme IT");
    assert!(
        terminal.contains("Jane Doe, Acme IT (verified by Acme IT) asks to: view."),
        "{terminal}"
    );

    // A computer that does not trust Acme: not verified, unknown org.
    let nobody = dir.join("empty-config");
    std::fs::create_dir_all(&nobody).expect("dir");
    let (who, terminal) = prompt_for(&relay, &nobody, &as_jane);
    assert_eq!(who["verified"], false);
    assert_eq!(who["not_verified"], "unknown_org");
    assert!(
        terminal.contains("(NOT verified: this name was typed by the caller)"),
        "{terminal}"
    );

    // The identity file's name edited to pass for someone else.
    let text = std::fs::read_to_string(&jane).expect("identity");
    let boss = dir.join("boss.identity");
    std::fs::write(&boss, text.replace("name: Jane Doe", "name: Big Boss")).expect("write");
    let (who, _) = prompt_for(&relay, &config, &["--identity", path(&boss)]);
    assert_eq!(who["name"], "Big Boss");
    assert_eq!(who["not_verified"], "name_mismatch");

    // An expired certificate (signed with Acme's key, long ago): add-cert
    // refuses it, and an identity that still holds one (it expired since)
    // shows as expired.
    let org = OrgKeyFile::parse(&std::fs::read_to_string(dir.join("acme.key")).expect("key"))
        .expect("org key file");
    let old_key = SigningKey::generate().expect("key");
    let expired = issue(
        &org.key,
        Statement {
            name: "Old Timer".into(),
            org: "Acme IT".into(),
            key: old_key.public(),
            not_before: 1_600_000_000,
            not_after: 1_700_000_000,
        },
    );
    let old = dir.join("old.identity");
    let old_cert = dir.join("old.cert");
    std::fs::write(&old_cert, certificate_text(&expired)).expect("write");
    std::fs::write(
        &old,
        IdentityFile {
            name: "Old Timer".into(),
            org: None,
            key: SigningKey::from_pkcs8(old_key.pkcs8()).expect("copy"),
            certificate: None,
        }
        .to_text()
        .as_bytes(),
    )
    .expect("write");
    let refused = Command::new(bin("tessera-viewer"))
        .args([
            "identity",
            "add-cert",
            "--identity",
            path(&old),
            "--cert",
            path(&old_cert),
        ])
        .output()
        .expect("tessera-viewer");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("has expired"));
    std::fs::write(
        &old,
        IdentityFile {
            name: "Old Timer".into(),
            org: Some("Acme IT".into()),
            key: old_key,
            certificate: Some(expired),
        }
        .to_text()
        .as_bytes(),
    )
    .expect("write");
    let (who, _) = prompt_for(&relay, &config, &["--identity", path(&old)]);
    assert_eq!(who["not_verified"], "expired");

    // No identity file at all: the name as typed, not verified.
    let (who, _) = prompt_for(&relay, &config, &["--name", "Jane Doe", "--org", "Acme IT"]);
    assert_eq!(who["verified"], false);
    assert_eq!(who["not_verified"], "no_certificate");
}

#[test]
fn an_introduction_signed_for_another_session_is_refused_before_any_prompt() {
    let dir = scratch("identity-replay");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let mut agent = Agent::start(&relay.client_args());
    let code = agent.code();
    // A valid signature, but over another session's transcript and keys,
    // as a recorded introduction would be.
    let key = SigningKey::generate().expect("key");
    let elsewhere = SessionBinding {
        transcript: [9; 32],
        agent: Fingerprint([1; 32]),
        viewer: Fingerprint([2; 32]),
    };
    let intro = Introduction {
        name: "Jane Doe".into(),
        org: Some("Acme IT".into()),
        requested: Grants::parse_list("view,control").expect("grants"),
        certificate: None,
        ticket: None,
    };
    let hello = ViewerMsg::Hello(Box::new(signed_hello(&intro, &key, &elsewhere)));
    let bytes = frame::encode(&hello, MAX_PEER_FRAME).expect("encode");
    assert_eq!(
        rogue::viewer_sends(&relay.addr, &relay.fingerprint, &code, &bytes),
        Some(AgentMsg::End {
            reason: EndReason::ProtocolError
        })
    );
    let ended = agent.events.event("session_ended");
    assert!(
        ended["detail"]
            .as_str()
            .unwrap_or("")
            .contains("not signed for this session"),
        "{ended}"
    );
    assert!(
        !agent.terminal.shown().contains("Allow?"),
        "a prompt was shown"
    );
}
