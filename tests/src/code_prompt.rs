//! The viewer started as a technician should start it: without the code
//! on its command line, so it asks on its terminal (a pty here, its
//! controlling terminal) and the test types the code there.

use crate::{bin, pty, Viewer};
use std::process::Command;

/// A headless viewer started with `connect` and no code, asking for
/// `request`, and the terminal it asks on.
pub fn connect_at_prompt(relay_args: &[String], request: &str) -> (Viewer, pty::Terminal) {
    let terminal = pty::Pair::open();
    let mut command = Command::new(bin("tessera-viewer"));
    command
        .arg("connect")
        .args(relay_args)
        .args(["--name", "Jane", "--org", "Acme IT"])
        .args(["--request", request])
        .args(["--headless", "--events", "json"]);
    terminal.make_controlling(&mut command);
    let viewer = Viewer::spawn(command);
    (viewer, terminal.into_terminal())
}

/// The same viewer in a session of its own, without a controlling
/// terminal (as from a service or a pipeline), so it has nowhere to ask.
pub fn connect_without_terminal(relay_args: &[String]) -> Viewer {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(bin("tessera-viewer"));
    command
        .arg("connect")
        .args(relay_args)
        .args(["--headless", "--events", "json"]);
    // SAFETY: setsid is async-signal-safe, called between fork and exec.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Viewer::spawn(command)
}
