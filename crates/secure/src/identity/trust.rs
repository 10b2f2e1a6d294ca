//! The organisations an agent's machine trusts to vouch for technicians:
//! lines of `PUBLIC-KEY ORGANISATION NAME`, from the system's and the
//! user's configuration folders. Parsing is bounded and names the line
//! that is wrong.

use tessera_proto::identity::PublicKey;
use tessera_proto::peer::MAX_NAME_CHARS;

/// Largest trust file read.
pub const MAX_TRUST_FILE: usize = 64 * 1024;
/// Most organisations one trust store holds.
pub const MAX_TRUSTED_ORGS: usize = 1000;

/// One trusted organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedOrg {
    /// Its name, as its certificates must give it.
    pub name: String,
    /// Its public key.
    pub key: PublicKey,
}

/// The organisations trusted on this machine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustStore {
    orgs: Vec<TrustedOrg>,
}

/// What is wrong with a trust file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    /// Over [`MAX_TRUST_FILE`] bytes.
    #[error("the trust file is {0} bytes, the limit is {MAX_TRUST_FILE}")]
    TooLarge(usize),
    /// Over [`MAX_TRUSTED_ORGS`] organisations.
    #[error("more than {MAX_TRUSTED_ORGS} trusted organisations")]
    TooMany,
    /// A line that is not `KEY NAME`.
    #[error(
        "line {line}: {why} (expected: 64 hexadecimal digits, a space, the organisation's name)"
    )]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        why: &'static str,
    },
}

impl TrustStore {
    /// Reads a trust file's text (`#` starts a comment line).
    pub fn parse(text: &str) -> Result<Self, TrustError> {
        if text.len() > MAX_TRUST_FILE {
            return Err(TrustError::TooLarge(text.len()));
        }
        let mut store = Self::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why| TrustError::BadLine { line: i + 1, why };
            let (key, name) = line
                .split_once(char::is_whitespace)
                .ok_or_else(|| bad("no organisation name"))?;
            let key: PublicKey = key
                .parse()
                .map_err(|_| bad("the key is not 64 hexadecimal digits"))?;
            let name = name.trim();
            if name.contains('#') {
                return Err(bad("a # comment must be on a line of its own"));
            }
            if name.chars().count() > MAX_NAME_CHARS
                || name
                    .chars()
                    .any(|c| c.is_control() || tessera_proto::peer::is_invisible(c))
            {
                return Err(bad(
                    "the name is too long or holds control or invisible characters",
                ));
            }
            store.add(TrustedOrg {
                name: name.to_string(),
                key,
            })?;
        }
        Ok(store)
    }

    /// Adds every organisation of `other` (the user's file after the
    /// system's).
    pub fn extend(&mut self, other: TrustStore) -> Result<(), TrustError> {
        for org in other.orgs {
            self.add(org)?;
        }
        Ok(())
    }

    fn add(&mut self, org: TrustedOrg) -> Result<(), TrustError> {
        if self.orgs.len() >= MAX_TRUSTED_ORGS {
            return Err(TrustError::TooMany);
        }
        if !self.orgs.contains(&org) {
            self.orgs.push(org);
        }
        Ok(())
    }

    /// Whether `key` is trusted to vouch for technicians of `org`.
    pub fn trusts(&self, org: &str, key: &PublicKey) -> bool {
        self.orgs.iter().any(|o| o.name == org && o.key == *key)
    }

    /// The trusted organisations.
    pub fn orgs(&self) -> &[TrustedOrg] {
        &self.orgs
    }
}
