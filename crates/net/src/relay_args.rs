//! The command-line flags that choose a relay and how to trust it, the
//! same for every client (agent and viewer flatten them into their own
//! arguments), so the two cannot drift apart in name, default or meaning.

use crate::trust::RelayTrust;
use std::path::PathBuf;
use tessera_proto::Fingerprint;

/// Which relay to use and how to recognise it (`#[command(flatten)]`).
#[derive(clap::Args, Clone, Debug)]
pub struct RelayArgs {
    /// The relay, as HOST:PORT: the agent registers there and the viewer
    /// joins the person's agent there, so both must name the same one.
    #[arg(long, default_value = "127.0.0.1:7700")]
    pub relay: String,
    /// Accept only the relay with this certificate fingerprint (SHA-256 hex,
    /// as printed by tessera-relay on start).
    #[arg(long)]
    pub relay_fingerprint: Option<Fingerprint>,
    /// Accept a relay certificate issued by this CA (PEM) instead.
    #[arg(long, conflicts_with = "relay_fingerprint")]
    pub relay_ca: Option<PathBuf>,
    /// Trust-on-first-use record of relays (default:
    /// ~/.config/tessera/known_relays).
    #[arg(long)]
    pub known_relays: Option<PathBuf>,
}

impl RelayArgs {
    /// The relay's address and the trust policy the flags chose.
    pub fn into_relay(self) -> (String, RelayTrust) {
        let trust =
            RelayTrust::from_flags(self.relay_fingerprint, self.relay_ca, self.known_relays);
        (self.relay, trust)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::path::Path;

    #[derive(Parser, Debug)]
    struct Client {
        #[command(flatten)]
        relay: RelayArgs,
    }

    fn parse(args: &[&str]) -> Result<(String, RelayTrust), clap::Error> {
        let args = std::iter::once("client").chain(args.iter().copied());
        Client::try_parse_from(args).map(|c| c.relay.into_relay())
    }

    #[test]
    fn the_flags_choose_the_relay_and_its_trust() {
        let fp = Fingerprint([0x22; 32]).to_string();
        let (addr, trust) = parse(&["--relay", "relay.example:7700", "--relay-fingerprint", &fp])
            .expect("valid flags");
        assert_eq!(addr, "relay.example:7700");
        assert!(matches!(trust, RelayTrust::Fingerprint(f) if f.to_string() == fp));

        let (addr, trust) = parse(&["--relay-ca", "ca.pem"]).expect("valid flags");
        assert_eq!(addr, "127.0.0.1:7700");
        assert!(matches!(trust, RelayTrust::Ca(p) if p == Path::new("ca.pem")));

        let (_, trust) = parse(&["--known-relays", "known"]).expect("valid flags");
        assert!(matches!(trust, RelayTrust::KnownRelays(p) if p == Path::new("known")));

        assert!(
            parse(&["--relay-fingerprint", &fp, "--relay-ca", "ca.pem"]).is_err(),
            "a pin and a CA at once"
        );
        assert!(parse(&["--relay-fingerprint", "not-hex"]).is_err());
    }
}
