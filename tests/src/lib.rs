//! Harness for Tessera's end-to-end tests: starts the real binaries on
//! loopback, gives the agent a pseudo-terminal as its controlling terminal
//! (its standard input is /dev/null, so only the terminal can answer the
//! consent prompt), and waits on events with deadlines that fail a test
//! rather than hang it. No test sleeps to synchronise.

pub mod code_prompt;
pub mod hostile;
pub mod impair;
pub mod motion;
mod pty;
pub mod rogue;
pub mod technician;
pub mod window;
pub mod xev;
pub mod xvfb;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long any single expected event may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Path of a workspace binary, built by `cargo build --workspace --bins`:
/// next to the running program (benchmarks) or one folder up (tests run
/// from `target/PROFILE/deps`).
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let here = exe.parent().expect("exe dir");
    let candidates = [here.join(name), here.parent().unwrap_or(here).join(name)];
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .unwrap_or_else(|| panic!("{name} is missing: run `cargo build --workspace --bins` first"))
}

/// A fresh scratch directory under the target dir.
pub fn scratch(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("e2e-scratch")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The data folder (`XDG_DATA_HOME`) of every agent and viewer this test
/// process starts, unless a test gives its own: their session records
/// and the agent's device key stay under the target dir, not in the
/// home folder.
pub fn data_home() -> PathBuf {
    static HOME: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    HOME.get_or_init(|| scratch("data-home")).clone()
}

/// The client flags that reach the relay at `addr` and pin its certificate.
pub fn pinned_relay_args(addr: &str, fingerprint: &str) -> Vec<String> {
    vec![
        "--relay".into(),
        addr.into(),
        "--relay-fingerprint".into(),
        fingerprint.into(),
    ]
}

/// Lines from a child's output, read on a thread.
pub struct Lines {
    rx: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    pub(crate) fn spawn(reader: impl Read + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(reader).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { rx, seen: vec![] }
    }

    /// The next line, or `None` at the end or after the deadline.
    pub fn next_line(&mut self, deadline: Instant) -> Option<String> {
        let wait = deadline.saturating_duration_since(Instant::now());
        let line = self.rx.recv_timeout(wait).ok()?;
        self.seen.push(line.clone());
        Some(line)
    }

    /// Every line read so far.
    pub fn seen(&self) -> &[String] {
        &self.seen
    }

    /// Waits for a JSON event line with `"event": name`; panics with what
    /// was seen if it does not come.
    pub fn event(&mut self, name: &str) -> Value {
        self.event_where(name, |_| true)
    }

    /// Waits up to `wait` (longer than [`DEADLINE`], for timeouts under
    /// test) for a JSON event named `name`.
    pub fn event_within(&mut self, name: &str, wait: Duration) -> Value {
        self.event_until(name, |_| true, Instant::now() + wait)
    }

    /// Waits for a JSON event named `name` that satisfies `pred`.
    pub fn event_where(&mut self, name: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.event_until(name, pred, Instant::now() + DEADLINE)
    }

    fn event_until(
        &mut self,
        name: &str,
        pred: impl Fn(&Value) -> bool,
        deadline: Instant,
    ) -> Value {
        while let Some(line) = self.next_line(deadline) {
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                if v["event"] == name && pred(&v) {
                    return v;
                }
            }
        }
        panic!("no {name:?} event; saw:\n{}", self.seen.join("\n"));
    }

    /// Reads to the end (the process exited) and returns every line seen.
    pub fn drain(&mut self) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        while self.next_line(deadline).is_some() {}
        self.seen.clone()
    }
}

/// A running `tessera-relay` binary.
pub struct RelayProcess {
    child: Child,
    /// Its address.
    pub addr: String,
    /// Its certificate fingerprint.
    pub fingerprint: String,
    /// Its data directory.
    pub data_dir: PathBuf,
    _stdout: Lines,
}

impl RelayProcess {
    /// Starts a relay on a free loopback port.
    pub fn start(data_dir: &Path, extra: &[&str]) -> Self {
        Self::start_on("127.0.0.1:0", data_dir, extra)
    }

    /// Starts a relay on `listen`.
    pub fn start_on(listen: &str, data_dir: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(bin("tessera-relay"))
            .args(["--listen", listen, "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start relay");
        let mut stdout = Lines::spawn(child.stdout.take().expect("stdout"));
        let first = stdout
            .next_line(Instant::now() + DEADLINE)
            .expect("relay prints its first line");
        // `relay listening on ADDR fingerprint HEX`
        let words: Vec<&str> = first.split_whitespace().collect();
        assert_eq!(words[..3], ["relay", "listening", "on"], "{first}");
        assert_eq!(words[4], "fingerprint", "{first}");
        Self {
            addr: words[3].to_string(),
            fingerprint: words[5].to_string(),
            data_dir: data_dir.to_path_buf(),
            child,
            _stdout: stdout,
        }
    }

    /// The client flags that reach and pin this relay.
    pub fn client_args(&self) -> Vec<String> {
        crate::pinned_relay_args(&self.addr, &self.fingerprint)
    }

    /// The relay's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The session log lines written so far.
    pub fn session_log(&self) -> Vec<Value> {
        std::fs::read_to_string(self.data_dir.join("sessions.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Asks the relay to shut down, as an operator or init system would.
    pub fn terminate(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid");
        // SAFETY: sending a signal to our own child process.
        let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
        assert_eq!(rc, 0, "SIGTERM failed");
    }

    /// Reads one Prometheus metric from `--metrics ADDR` (the relay must
    /// have been started with it).
    pub fn metric(addr: &str, name: &str) -> u64 {
        let mut stream = std::net::TcpStream::connect(addr).expect("metrics endpoint");
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n")
            .expect("request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response");
        response
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing:\n{response}"))
    }

    /// Stops the relay.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A running `tessera-agent` with a pty as its terminal.
pub struct Agent {
    child: Child,
    /// JSON events on stdout.
    pub events: Lines,
    /// What the person's terminal shows.
    pub terminal: pty::Terminal,
    /// What it says on stderr, read as it comes (a full pipe would stall
    /// it).
    stderr: Option<Lines>,
}

impl Agent {
    /// Starts an agent with `--events json` and the given extra flags.
    pub fn start(args: &[String]) -> Self {
        Self::start_env(args, &[])
    }

    /// As [`start`](Self::start), with extra environment variables (such
    /// as `XDG_CONFIG_HOME`, where the user's trusted organisations are).
    pub fn start_env(args: &[String], env: &[(&str, &Path)]) -> Self {
        let terminal_pair = pty::Pair::open();
        let mut cmd = Command::new(bin("tessera-agent"));
        cmd.args(args).args(["--events", "json"]);
        if !args.iter().any(|a| a == "--lang") {
            cmd.args(["--lang", "en"]);
        }
        if !env.iter().any(|(k, _)| *k == "XDG_DATA_HOME") {
            cmd.env("XDG_DATA_HOME", data_home());
        }
        cmd.envs(env.iter().map(|(k, v)| (*k, *v)));
        // The terminal prompt unless a test asks for the window.
        if !args.iter().any(|a| a == "--ui") {
            cmd.args(["--ui", "tty"]);
        }
        if !args.iter().any(|a| a == "--screen") {
            cmd.args(["--screen", "synthetic"]);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        terminal_pair.make_controlling(&mut cmd);
        let mut child = cmd.spawn().expect("start agent");
        let terminal = terminal_pair.into_terminal();
        let events = Lines::spawn(child.stdout.take().expect("stdout"));
        let stderr = child.stderr.take().map(Lines::spawn);
        Self {
            child,
            events,
            terminal,
            stderr,
        }
    }

    /// Its process id (for CPU and memory figures).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the code the agent shows, as read aloud.
    pub fn code(&mut self) -> String {
        self.events.event("code")["code"]
            .as_str()
            .expect("code string")
            .to_string()
    }

    /// Answers the consent prompt on the terminal, once it is shown.
    pub fn answer(&mut self, answer: &str) {
        self.terminal.wait_for("Allow? [y/N]");
        self.terminal.type_line(answer);
    }

    /// Waits for the exit; returns the status and what it said on stderr.
    pub fn wait(mut self) -> (ExitStatus, String) {
        wait_child(&mut self.child, self.stderr.take())
    }

    /// Kills the process at once (a crash, a pulled plug).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running headless `tessera-viewer connect`.
pub struct Viewer {
    child: Child,
    stdin: Option<ChildStdin>,
    /// JSON events on stdout.
    pub events: Lines,
    /// What it says on stderr, read as it comes (a full pipe would stall
    /// it).
    stderr: Option<Lines>,
}

impl Viewer {
    /// Connects with `code` as technician Jane asking for `request`.
    pub fn connect(code: &str, relay_args: &[String], request: &str) -> Self {
        Self::connect_as(
            code,
            relay_args,
            request,
            &["--name", "Jane", "--org", "Acme IT"],
        )
    }

    /// Connects with `code`, introduced by `who` (`--name ...` or
    /// `--identity FILE`), asking for `request`.
    pub fn connect_as(code: &str, relay_args: &[String], request: &str, who: &[&str]) -> Self {
        let mut command = Command::new(bin("tessera-viewer"));
        command
            .args(["connect", code])
            .args(relay_args)
            .args(who)
            .args(["--request", request])
            .args(["--headless", "--events", "json"]);
        Self::spawn(command)
    }

    /// Starts `command` with its standard streams piped to the test.
    pub(crate) fn spawn(mut command: Command) -> Self {
        if !command.get_envs().any(|(k, _)| k == "XDG_DATA_HOME") {
            command.env("XDG_DATA_HOME", data_home());
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start viewer");
        let events = Lines::spawn(child.stdout.take().expect("stdout"));
        Self {
            stdin: child.stdin.take(),
            stderr: child.stderr.take().map(Lines::spawn),
            events,
            child,
        }
    }

    /// Its process id (for what `/proc` shows of it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends one JSON command line.
    pub fn command(&mut self, json: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{json}").expect("write command");
        stdin.flush().expect("flush");
    }

    /// Waits for the exit; returns the status and what it said on stderr.
    pub fn wait(mut self) -> (ExitStatus, String) {
        wait_child(&mut self.child, self.stderr.take())
    }

    /// Kills the process at once.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Viewer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_child(child: &mut Child, stderr: Option<Lines>) -> (ExitStatus, String) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let text = stderr.map(|mut e| e.drain().join("\n")).unwrap_or_default();
            return (status, text);
        }
        assert!(Instant::now() < deadline, "process did not exit in time");
        // Polling the exit status, not synchronising on it: std has no
        // wait-with-timeout.
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A session brought to the running state: agent accepted everything asked.
pub fn running_session(relay_args: &[String], request: &str) -> (Agent, Viewer) {
    let mut agent = Agent::start(relay_args);
    let code = agent.code();
    let mut viewer = Viewer::connect(&code, relay_args, request);
    agent.answer("y");
    agent.events.event("session_started");
    viewer.events.event("session_started");
    (agent, viewer)
}

/// A session whose agent captures (and injects into) the X display
/// `display`; the viewer asks for `request`, the person answers `answer`
/// at the real prompt. Returns once the viewer says it started.
pub fn x11_session(
    relay_args: &[String],
    display: &str,
    request: &str,
    answer: &str,
) -> (Agent, Viewer) {
    let mut args = relay_args.to_vec();
    args.extend([
        "--screen".into(),
        "x11".into(),
        "--display".into(),
        display.into(),
    ]);
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let mut viewer = Viewer::connect(&code, relay_args, request);
    agent.answer(answer);
    viewer.events.event("session_started");
    (agent, viewer)
}

/// A shell in an xterm on an X display, working in a fresh folder, and a
/// session whose agent drives that display.
pub struct ShellSession {
    /// Where the shell works: the files it writes are the witnesses.
    pub work: PathBuf,
    /// The person's side.
    pub agent: Agent,
    /// The technician's side.
    pub viewer: Viewer,
    /// The relay and the xterm: keep it bound while the test runs.
    pub keep: Running,
}

/// What a [`ShellSession`] needs running besides its two ends.
pub struct Running {
    _xterm: xvfb::XClient,
    _relay: RelayProcess,
}

/// Starts a [`ShellSession`] on `x` in scratch folder `name`: the viewer
/// asks for `request`, the person answers `answer`.
pub fn shell_session(x: &xvfb::Xvfb, name: &str, request: &str, answer: &str) -> ShellSession {
    let dir = scratch(name);
    let work = dir.join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    let xterm = x.shell_in(&work);
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (agent, viewer) = x11_session(&relay.client_args(), &x.display, request, answer);
    ShellSession {
        work,
        agent,
        viewer,
        keep: Running {
            _xterm: xterm,
            _relay: relay,
        },
    }
}

/// Polls an outside witness (a file, `xinput`, `xdotool`) until `done`
/// holds; they have no event to wait on. Panics after [`DEADLINE`].
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !done() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for `path` to hold a whole line (a shell writes it at once) and
/// returns its text.
pub fn wait_for_line(path: &Path) -> String {
    let mut text = String::new();
    wait_until(&format!("{} written", path.display()), || {
        text = std::fs::read_to_string(path).unwrap_or_default();
        text.ends_with('\n')
    });
    text
}

/// Writes `lines` numbered lines of `words` random hex words to `path`:
/// text as varied as real text, so nothing compresses by luck.
pub fn write_random_text(path: &Path, lines: usize, words: usize) {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let text: Vec<String> = (1..=lines)
        .map(|i| {
            let words: Vec<String> = (0..words)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    format!("{:x}", state % 0xffff_ffff)
                })
                .collect();
            format!("{i:06} {}", words.join(" "))
        })
        .collect();
    std::fs::write(path, text.join("\n")).expect("write the text");
}

/// The same nameplate with another secret: a well-formed but wrong code
/// (its check digit is valid, so only the PAKE can catch it).
pub fn wrong_secret(code: &str) -> String {
    let right = tessera_proto::Code::parse(code).expect("valid code");
    let digits = right.secret.password_bytes().map(|b| b - b'0');
    let other = digits.map(|d| (d + 1) % 10);
    let secret = tessera_proto::Secret::from_digits(other).expect("digits");
    tessera_proto::Code::new(right.nameplate, secret).display()
}

/// The code with one digit changed and the check digit left alone: a typo.
pub fn typo(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    chars[1] = if chars[1] == '5' { '6' } else { '5' };
    chars.into_iter().collect()
}

/// A certificate authority, and a relay certificate for 127.0.0.1 that it
/// signed, written as PEM files in `dir`: `(ca, cert, key)` paths.
pub fn ca_signed_relay_cert(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Tessera test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca");
    let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
    let leaf =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("leaf params")
            .signed_by(&leaf_key, &ca)
            .expect("leaf");
    let paths = (
        dir.join("ca.pem"),
        dir.join("relay.pem"),
        dir.join("relay.key"),
    );
    std::fs::write(&paths.0, ca.pem()).expect("write ca");
    std::fs::write(&paths.1, leaf.pem()).expect("write cert");
    std::fs::write(&paths.2, leaf_key.serialize_pem()).expect("write key");
    paths
}

/// A small tmpfs mounted at a folder for one test, unmounted after.
pub struct SmallDisk(pub PathBuf);

impl SmallDisk {
    /// Mounts a tmpfs of `size` (as `mount` reads it: `16k`, `3m`) at
    /// `dir`.
    pub fn mount(dir: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(dir).expect("mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700")])
            .arg("tmpfs")
            .arg(dir)
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "this test mounts a small tmpfs: run the suite as root"
        );
        SmallDisk(dir.to_path_buf())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// The SHA-256 `sha256sum` computes (a tool that did not come from us).
pub fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("a hash")
        .to_string()
}
