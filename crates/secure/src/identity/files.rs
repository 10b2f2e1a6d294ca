//! The files identities live in, as text a person can read: `field: value`
//! lines, `#` comments. A technician's identity (secret: their key, and
//! their organisation's certificate once they have it), an organisation's
//! key (secret), and a certificate (public, handed from the organisation
//! to the technician). Parsing is bounded and names what is wrong.

use super::keypair::SigningKey;
use tessera_proto::identity::Certificate;
use tessera_proto::peer::validate_name;
use zeroize::Zeroizing;

/// Largest identity, key or certificate file read.
pub const MAX_IDENTITY_FILE: usize = 16 * 1024;

/// What is wrong with an identity, key or certificate file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Over [`MAX_IDENTITY_FILE`] bytes.
    #[error("the file is {0} bytes, the limit is {MAX_IDENTITY_FILE}")]
    TooLarge(usize),
    /// A line that is not `field: value`, or a field given twice or unknown.
    #[error("line {line}: {why}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// A field the file must have.
    #[error("the {0} field is missing")]
    Missing(&'static str),
    /// A field whose value is not acceptable.
    #[error("the {field} field: {why}")]
    BadValue {
        /// Which field.
        field: &'static str,
        /// What is wrong.
        why: String,
    },
}

/// The fields of a file, checked against the ones it may have.
struct Fields<'a> {
    values: Vec<(&'static str, &'a str)>,
}

impl<'a> Fields<'a> {
    fn parse(text: &'a str, known: &[&'static str]) -> Result<Self, FileError> {
        if text.len() > MAX_IDENTITY_FILE {
            return Err(FileError::TooLarge(text.len()));
        }
        let mut values: Vec<(&'static str, &'a str)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let bad = |why: String| FileError::BadLine { line: i + 1, why };
            let (field, value) = trimmed
                .split_once(':')
                .ok_or_else(|| bad("expected `field: value`".into()))?;
            let field = field.trim();
            let Some(&known) = known.iter().find(|k| **k == field) else {
                return Err(bad(format!(
                    "unknown field {field:?} (known: {})",
                    known.join(", ")
                )));
            };
            if values.iter().any(|(f, _)| *f == known) {
                return Err(bad(format!("the {known} field is given twice")));
            }
            values.push((known, value.trim()));
        }
        Ok(Self { values })
    }

    fn get(&self, field: &'static str) -> Option<&'a str> {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| *v)
    }

    fn require(&self, field: &'static str) -> Result<&'a str, FileError> {
        self.get(field).ok_or(FileError::Missing(field))
    }
}

fn name_field(field: &'static str, value: &str) -> Result<String, FileError> {
    validate_name(field, value).map_err(|e| FileError::BadValue {
        field,
        why: e.to_string(),
    })?;
    if value.is_empty() {
        return Err(FileError::BadValue {
            field,
            why: "it is empty".into(),
        });
    }
    Ok(value.to_string())
}

fn key_field(value: &str) -> Result<SigningKey, FileError> {
    let bad = |why: &str| FileError::BadValue {
        field: "key",
        why: why.into(),
    };
    let bytes = Zeroizing::new(hex::decode(value).map_err(|_| bad("not hexadecimal"))?);
    SigningKey::from_pkcs8(&bytes).map_err(|e| bad(e.0))
}

fn certificate_field(value: &str) -> Result<Certificate, FileError> {
    let bad = |why: String| FileError::BadValue {
        field: "certificate",
        why,
    };
    let bytes = hex::decode(value).map_err(|_| bad("not hexadecimal".into()))?;
    let cert: Certificate =
        postcard::from_bytes(&bytes).map_err(|e| bad(format!("not a certificate ({e})")))?;
    validate_name("certificate", &cert.name).map_err(|e| bad(e.to_string()))?;
    validate_name("certificate", &cert.org).map_err(|e| bad(e.to_string()))?;
    Ok(cert)
}

/// Appends the `key:` line, its hex digits written straight into `text`.
fn push_key(text: &mut String, key: &SigningKey) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    text.push_str("key: ");
    for b in key.pkcs8() {
        text.push(char::from(HEX[usize::from(b >> 4)]));
        text.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    text.push('\n');
}

fn certificate_hex(cert: &Certificate) -> String {
    // Strings, keys and integers always encode.
    hex::encode(postcard::to_allocvec(cert).unwrap_or_default())
}

/// A technician's identity file: who they are, their private key, and
/// their organisation's certificate once they have one.
#[derive(Debug)]
pub struct IdentityFile {
    /// Their name.
    pub name: String,
    /// Their organisation, if any.
    pub org: Option<String>,
    /// Their private key.
    pub key: SigningKey,
    /// Their organisation's certificate for `key`.
    pub certificate: Option<Certificate>,
}

impl IdentityFile {
    /// Reads an identity file's text.
    pub fn parse(text: &str) -> Result<Self, FileError> {
        let fields = Fields::parse(text, &["name", "org", "key", "certificate"])?;
        Ok(Self {
            name: name_field("name", fields.require("name")?)?,
            org: fields
                .get("org")
                .map(|o| name_field("org", o))
                .transpose()?,
            key: key_field(fields.require("key")?)?,
            certificate: fields
                .get("certificate")
                .map(certificate_field)
                .transpose()?,
        })
    }

    /// The file's text (it holds the private key: zeroized on drop, and
    /// built in place so no copy of the key is left behind).
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(MAX_IDENTITY_FILE));
        text.push_str(
            "# Tessera technician identity. It holds your private key: keep it secret.\n",
        );
        for (field, value) in [("name", Some(&self.name)), ("org", self.org.as_ref())] {
            if let Some(value) = value {
                text.push_str(field);
                text.push_str(": ");
                text.push_str(value);
                text.push('\n');
            }
        }
        push_key(&mut text, &self.key);
        if let Some(cert) = &self.certificate {
            text.push_str("certificate: ");
            text.push_str(&certificate_hex(cert));
            text.push('\n');
        }
        text
    }
}

/// An organisation's signing key file, kept by its administrator.
#[derive(Debug)]
pub struct OrgKeyFile {
    /// The organisation's name, as its certificates give it.
    pub org: String,
    /// Its private key.
    pub key: SigningKey,
}

impl OrgKeyFile {
    /// Reads an organisation key file's text.
    pub fn parse(text: &str) -> Result<Self, FileError> {
        let fields = Fields::parse(text, &["org", "key"])?;
        Ok(Self {
            org: name_field("org", fields.require("org")?)?,
            key: key_field(fields.require("key")?)?,
        })
    }

    /// The file's text (it holds the private key: zeroized on drop, and
    /// built in place so no copy of the key is left behind).
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(MAX_IDENTITY_FILE));
        text.push_str(
            "# Tessera organisation key. It signs your technicians' certificates: keep it secret.\n",
        );
        text.push_str("org: ");
        text.push_str(&self.org);
        text.push('\n');
        push_key(&mut text, &self.key);
        text
    }
}

/// Reads a certificate file's text.
pub fn parse_certificate(text: &str) -> Result<Certificate, FileError> {
    let fields = Fields::parse(text, &["certificate"])?;
    certificate_field(fields.require("certificate")?)
}

/// A certificate file's text.
pub fn certificate_text(cert: &Certificate) -> String {
    format!(
        "# Tessera certificate: {} of {}, signed by the organisation's key {}.\ncertificate: {}\n",
        cert.name,
        cert.org,
        cert.issuer,
        certificate_hex(cert)
    )
}
