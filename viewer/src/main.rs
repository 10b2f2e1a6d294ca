//! `tessera-viewer`: the technician's side. Connects with the code the
//! person reads aloud and runs the session they allow.

mod code_prompt;
mod front;
mod identity;
mod run;
mod snapshot;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tessera_net::relay_args::RelayArgs;
use tessera_proto::{Code, Grants};
use tessera_secure::identity::{Introduction, SigningKey};

/// Help someone at a distance, with their consent.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Connect to the person's computer with the code they read to you.
    Connect(ConnectArgs),
    /// Technician identities: your key, your organisation's certificate.
    Identity {
        #[command(subcommand)]
        command: identity::IdentityCmd,
    },
}

#[derive(clap::Args, Debug)]
struct ConnectArgs {
    /// The code, e.g. "482 913 577 2" (spaces, dashes and dots are
    /// ignored). Better left out: you are then asked for it, and typed at
    /// that prompt it stays out of your shell history and out of the
    /// process list, where other users of this computer can read it.
    code: Option<String>,
    #[command(flatten)]
    relay: RelayArgs,
    /// Your name, as the person will see it (marked "not verified"; with
    /// --identity, the identity's name is used).
    #[arg(long, default_value_t = default_name(), conflicts_with = "identity")]
    name: String,
    /// Your organisation, as the person will see it.
    #[arg(long, conflicts_with = "identity")]
    org: Option<String>,
    /// Your identity file (`identity new`): with your organisation's
    /// certificate in it, the person sees you as verified.
    #[arg(long)]
    identity: Option<PathBuf>,
    /// What you ask to do: view, control, clipboard, files, chat.
    #[arg(long, default_value = "view,control,chat", value_parser = parse_grants)]
    request: Grants,
    /// Run without a window: JSON commands on stdin, one a line (chat,
    /// end, snapshot, display; see README.md). Required in this version.
    #[arg(long)]
    headless: bool,
    /// Print one JSON object a line on stdout for each event.
    #[arg(long, value_enum)]
    events: Option<Events>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Events {
    Json,
}

fn default_name() -> String {
    std::env::var("USER").unwrap_or_else(|_| "Technician".into())
}

fn parse_grants(s: &str) -> Result<Grants, String> {
    Grants::parse_list(s)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = match args.command {
        Cmd::Connect(args) => args,
        Cmd::Identity { command } => {
            return match identity::run(command) {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("tessera-viewer: {e}");
                    ExitCode::FAILURE
                }
            };
        }
    };
    if !args.headless {
        eprintln!("tessera-viewer: this version has no window yet: add --headless and send commands as JSON lines on stdin");
        return ExitCode::from(2);
    }
    // A typo is caught here, before it costs the person's code; without
    // a code on the command line, it is asked for on the terminal.
    let code = match args.code.as_deref().map(Code::parse) {
        Some(Ok(code)) => code,
        Some(Err(e)) => {
            eprintln!("tessera-viewer: {e}");
            return ExitCode::from(2);
        }
        None => match code_prompt::ask_on_terminal() {
            Ok(code) => code,
            Err(e) => {
                eprintln!("tessera-viewer: {e}");
                return ExitCode::from(2);
            }
        },
    };
    // Without an identity file, a key for this session only: the
    // introduction is still bound to the session, the name unverified.
    let (name, org, key, certificate) = match &args.identity {
        Some(path) => match identity::load(path) {
            Ok(file) => (file.name, file.org, file.key, file.certificate),
            Err(e) => {
                eprintln!("tessera-viewer: {e}");
                return ExitCode::from(2);
            }
        },
        None => match SigningKey::generate() {
            Ok(key) => (args.name, args.org, key, None),
            Err(e) => {
                eprintln!("tessera-viewer: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let (relay, trust) = args.relay.into_relay();
    let options = run::Options {
        relay,
        trust,
        intro: Introduction {
            name,
            org,
            requested: args.request,
            certificate,
        },
        key,
    };
    let front = front::headless::Headless::new(args.events.is_some());
    match run::run(options, code, front).await {
        Ok(reason) if reason.is_normal() => ExitCode::SUCCESS,
        Ok(reason) => {
            eprintln!(
                "tessera-viewer: session ended: {reason}: {}",
                reason.describe()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            // Connection errors can carry the relay's words: made safe.
            let e = tessera_session::terminal::printable(&e);
            eprintln!("tessera-viewer: {e}");
            ExitCode::FAILURE
        }
    }
}
