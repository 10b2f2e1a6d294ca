//! `tessera-relay`: the rendezvous and blind forwarding server.

use clap::{Parser, ValueEnum};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tessera_relay::tls::RelayIdentity;
use tessera_relay::{Limits, Relay, RelayConfig};

/// Pairs Tessera agents and viewers by nameplate and forwards their
/// end-to-end encrypted traffic, which it cannot read. No database.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address and UDP port to listen on.
    #[arg(long, default_value = "0.0.0.0:7700")]
    listen: SocketAddr,
    /// Where the self-signed certificate and the session log are kept.
    #[arg(long, default_value_os_t = default_data_dir())]
    data_dir: PathBuf,
    /// Certificate chain (PEM) instead of the self-signed one; needs --key.
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// Private key (PEM) for --cert.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Serve Prometheus metrics over HTTP on this address.
    #[arg(long)]
    metrics: Option<SocketAddr>,
    /// Format of the log on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Seconds a code waits for a technician before it expires.
    #[arg(long, default_value_t = 600)]
    nameplate_ttl: u64,
    /// Codes one address may have waiting at once.
    #[arg(long, default_value_t = 20)]
    max_registrations_per_ip: u32,
    /// Join attempts one address may make per minute (bursts of one
    /// second's worth, at least 10).
    #[arg(long, default_value_t = 30)]
    join_rate: u32,
    /// Registrations one address may make per minute (bursts of one
    /// second's worth, at least 20).
    #[arg(long, default_value_t = 60)]
    register_rate: u32,
    /// The per-address limits count an IPv6 address by this many leading
    /// bits (one host commonly holds a whole /64); IPv4 addresses count whole.
    #[arg(long, default_value_t = 64, value_parser = ipv6_prefix_range())]
    ipv6_prefix: u8,
    /// Offer no lanes: sessions stay inside the QUIC connections'
    /// datagrams (slower). For a relay behind a load balancer that could
    /// send a client's second UDP flow to another machine.
    #[arg(long)]
    no_lanes: bool,
}

/// `--ipv6-prefix` within the registry's bounds.
fn ipv6_prefix_range() -> clap::builder::RangedI64ValueParser<u8> {
    use tessera_relay::registry::{MAX_IPV6_PREFIX, MIN_IPV6_PREFIX};
    clap::value_parser!(u8).range(i64::from(MIN_IPV6_PREFIX)..=i64::from(MAX_IPV6_PREFIX))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("tessera-relay")
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    init_logging(args.log_format);
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tessera-relay: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let identity = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => RelayIdentity::load(cert, key)?,
        _ => RelayIdentity::load_or_create(&args.data_dir)?,
    };
    std::fs::create_dir_all(&args.data_dir)
        .map_err(|e| format!("{}: {e}", args.data_dir.display()))?;
    let mut config = RelayConfig::new(args.listen, identity);
    config.limits = Limits {
        nameplate_ttl: Duration::from_secs(args.nameplate_ttl),
        quarantine: Duration::from_secs(args.nameplate_ttl.max(60)),
        max_waiting_per_ip: args.max_registrations_per_ip,
        joins_per_minute: args.join_rate,
        registers_per_minute: args.register_rate,
        // A burst of at least one second's worth of the configured rate.
        join_burst: (args.join_rate / 60).max(Limits::default().join_burst),
        register_burst: (args.register_rate / 60).max(Limits::default().register_burst),
        ipv6_prefix: args.ipv6_prefix,
        ..Limits::default()
    };
    config.session_log = Some(args.data_dir.join("sessions.jsonl"));
    config.lanes = !args.no_lanes;
    let relay = Relay::bind(config).map_err(|e| e.to_string())?;
    let addr = relay.local_addr().map_err(|e| e.to_string())?;
    println!(
        "relay listening on {addr} fingerprint {}",
        relay.fingerprint()
    );
    let _ = std::io::stdout().flush();
    if let Some(metrics_addr) = args.metrics {
        let listener = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .map_err(|e| format!("cannot serve metrics on {metrics_addr}: {e}"))?;
        tokio::spawn(tessera_relay::metrics::serve(listener, relay.metrics()));
    }
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| format!("cannot watch for SIGTERM: {e}"))?;
    let closer = relay.closer();
    let mut serving = tokio::spawn(relay.run());
    tokio::select! {
        _ = &mut serving => return Ok(()),
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    // Tell every client and give the news two seconds to arrive (the
    // engine's own limit); the rest is for the session log to be written.
    closer.close();
    closer.wait_closed(Duration::from_secs(10)).await;
    Ok(())
}
