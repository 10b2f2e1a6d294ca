//! `tessera-viewer identity ...`: a technician's key, an organisation's
//! key, the certificates that join them. The rules and formats are in
//! `tessera_secure::identity`; this file reads and writes the files (whole
//! or not at all, private ones readable by their owner only) and says what
//! to do next.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use tessera_proto::identity::PublicKey;
use tessera_secure::identity::{
    certificate_text, issue, parse_certificate, IdentityFile, OrgKeyFile, SigningKey, Statement,
};

/// Longest validity a certificate may be given.
const MAX_DAYS: u64 = 3 * 366;
/// A certificate starts a little in the past, so a clock slightly behind
/// on the person's machine does not refuse a fresh one.
const CLOCK_SLACK_SECS: u64 = 600;

/// The identity subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum IdentityCmd {
    /// Create your technician identity (a private key) in a new file.
    New {
        /// Your name, as people you help will see it.
        #[arg(long)]
        name: String,
        /// Your organisation.
        #[arg(long)]
        org: Option<String>,
        /// The file to create (kept secret: readable by you only).
        #[arg(long)]
        out: PathBuf,
    },
    /// For an organisation's administrator: create the organisation's key.
    OrgNew {
        /// The organisation's name, as certificates will give it.
        #[arg(long)]
        org: String,
        /// The file to create (kept secret: readable by you only).
        #[arg(long)]
        out: PathBuf,
    },
    /// For an organisation's administrator: certify a technician's key.
    Sign {
        /// The organisation's key file (`identity org-new`).
        #[arg(long)]
        org_key: PathBuf,
        /// The technician's name, exactly as their identity gives it.
        #[arg(long)]
        name: String,
        /// The technician's public key (`identity new` prints it).
        #[arg(long)]
        key: PublicKey,
        /// Days the certificate is valid.
        #[arg(long, default_value_t = 365)]
        days: u64,
        /// The certificate file to create (public: give it to the
        /// technician).
        #[arg(long)]
        out: PathBuf,
    },
    /// Add the certificate your organisation gave you to your identity.
    AddCert {
        /// Your identity file.
        #[arg(long)]
        identity: PathBuf,
        /// The certificate file.
        #[arg(long)]
        cert: PathBuf,
    },
}

/// Quotes `text` for a POSIX shell, so a printed command can be pasted
/// whatever the name holds.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A name as certificates and prompts will show it: not empty, no
/// surrounding spaces, no control or invisible characters, not too long.
fn check_name(flag: &'static str, name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err(format!("{flag} is empty"));
    }
    if name.trim() != name {
        return Err(format!("{flag} {name:?} starts or ends with spaces"));
    }
    // Trust files take `#` for comments.
    if name.contains('#') {
        return Err(format!(
            "{flag} {name:?} holds a #, which trust files cannot hold"
        ));
    }
    tessera_proto::peer::validate_name(flag, name).map_err(|e| e.to_string())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Runs one identity subcommand; the text to print, or what went wrong.
pub fn run(cmd: IdentityCmd) -> Result<String, String> {
    match cmd {
        IdentityCmd::New { name, org, out } => {
            check_name("--name", &name)?;
            if let Some(org) = &org {
                check_name("--org", org)?;
            }
            let file = IdentityFile {
                name,
                org,
                key: SigningKey::generate().map_err(|e| e.to_string())?,
                certificate: None,
            };
            // What is written must read back: names are checked the same way.
            IdentityFile::parse(&file.to_text()).map_err(|e| e.to_string())?;
            write_new(&out, file.to_text().as_bytes(), true)?;
            let key = file.key.public();
            Ok(format!(
                "Created your identity in {}. Keep that file secret.\nYour public key: {key}\n\
                 To be shown as verified, ask your organisation's administrator to run:\n  \
                 tessera-viewer identity sign --org-key ORG.key --name {} --key {key} --out CERT\n\
                 then add what they give you: tessera-viewer identity add-cert --identity {} --cert CERT",
                out.display(),
                shell_quote(&file.name),
                shell_quote(&out.display().to_string())
            ))
        }
        IdentityCmd::OrgNew { org, out } => {
            check_name("--org", &org)?;
            let file = OrgKeyFile {
                org,
                key: SigningKey::generate().map_err(|e| e.to_string())?,
            };
            OrgKeyFile::parse(&file.to_text()).map_err(|e| e.to_string())?;
            write_new(&out, file.to_text().as_bytes(), true)?;
            Ok(format!(
                "Created the key of {} in {}. Keep that file secret.\n\
                 Computers that should trust your technicians need this line in\n\
                 /etc/tessera/trusted-orgs (everyone) or ~/.config/tessera/trusted-orgs (one user):\n{} {}",
                file.org,
                out.display(),
                file.key.public(),
                file.org
            ))
        }
        IdentityCmd::Sign {
            org_key,
            name,
            key,
            days,
            out,
        } => {
            if !(1..=MAX_DAYS).contains(&days) {
                return Err(format!("--days {days}: from 1 to {MAX_DAYS}"));
            }
            let org = OrgKeyFile::parse(&read(&org_key)?)
                .map_err(|e| format!("{}: {e}", org_key.display()))?;
            check_name("--name", &name)?;
            let now = now();
            let cert = issue(
                &org.key,
                Statement {
                    name,
                    org: org.org,
                    key,
                    not_before: now.saturating_sub(CLOCK_SLACK_SECS),
                    not_after: now + days * 86_400,
                },
            );
            write_new(&out, certificate_text(&cert).as_bytes(), false)?;
            Ok(format!(
                "Certified {} of {} for {days} days in {}: give that file to them.",
                cert.name,
                cert.org,
                out.display()
            ))
        }
        IdentityCmd::AddCert { identity, cert } => {
            let mut file = IdentityFile::parse(&read(&identity)?)
                .map_err(|e| format!("{}: {e}", identity.display()))?;
            let certificate =
                parse_certificate(&read(&cert)?).map_err(|e| format!("{}: {e}", cert.display()))?;
            if certificate.key != file.key.public() {
                return Err(format!(
                    "{} certifies the key {}, not this identity's ({}): ask for a certificate of your own key",
                    cert.display(),
                    certificate.key,
                    file.key.public()
                ));
            }
            if !tessera_secure::identity::signature_holds(&certificate) {
                return Err(format!(
                    "{}: its signature does not hold (altered or damaged): ask for it again",
                    cert.display()
                ));
            }
            if now() >= certificate.not_after {
                return Err(format!(
                    "{}: the certificate has expired: ask for a new one",
                    cert.display()
                ));
            }
            if certificate.name != file.name {
                return Err(format!(
                    "the certificate names {:?}, this identity {:?}: the names must match exactly",
                    certificate.name, file.name
                ));
            }
            let summary = format!(
                "{} of {}, valid until {} (Unix time)",
                certificate.name, certificate.org, certificate.not_after
            );
            file.org = Some(certificate.org.clone());
            file.certificate = Some(certificate);
            replace(&identity, file.to_text().as_bytes())?;
            Ok(format!(
                "Added the certificate to {}: {summary}.",
                identity.display()
            ))
        }
    }
}

/// Loads the identity `connect --identity` names.
pub fn load(path: &Path) -> Result<IdentityFile, String> {
    IdentityFile::parse(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Result<zeroize::Zeroizing<String>, String> {
    tessera_net::small_file::read_small(path, tessera_secure::identity::MAX_IDENTITY_FILE)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Creates `path` with `bytes`, never over an existing file: the data is
/// written and synced under a temporary name, then linked into place,
/// which fails if `path` appeared meanwhile.
fn write_new(path: &Path, bytes: &[u8], private: bool) -> Result<(), String> {
    let tmp = write_temporary(path, bytes, private)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => sync_parent(path),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(format!(
            "{} exists: choose another --out (nothing was changed)",
            path.display()
        )),
        Err(e) => Err(format!("cannot write {}: {e}", path.display())),
    }
}

/// Replaces `path` (a private file) whole: written and synced under a
/// temporary name, then renamed over it.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = write_temporary(path, bytes, true)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    sync_parent(path)
}

/// Writes `bytes` to a new file beside `path`, named for this process so
/// no other writer's file is touched; private files are readable by their
/// owner only.
fn write_temporary(path: &Path, bytes: &[u8], private: bool) -> Result<PathBuf, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.partial", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    if private {
        options.mode(0o600);
    }
    let file = options
        .open(&tmp)
        .map_err(|e| format!("cannot write beside {}: {e}", path.display()))?;
    let written = (&file).write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    Ok(tmp)
}

/// Makes the new name durable (the snapshots' too).
pub(crate) fn sync_parent(path: &Path) -> Result<(), String> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::File::open(parent)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("cannot sync {}: {e}", parent.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_commands_quote_names_for_the_shell() {
        assert_eq!(shell_quote("Jane Doe"), "'Jane Doe'");
        assert_eq!(
            shell_quote("O'Brien $(rm -rf ~)"),
            r"'O'\''Brien $(rm -rf ~)'"
        );
    }

    #[test]
    fn names_are_checked_before_anything_is_written() {
        assert!(check_name("--name", "Jane Doe").is_ok());
        assert!(check_name("--name", "").is_err());
        assert!(check_name("--name", " Jane").is_err());
        assert!(check_name("--name", "Jane\nDoe").is_err());
    }
}
