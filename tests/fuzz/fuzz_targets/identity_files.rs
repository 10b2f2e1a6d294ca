//! Arbitrary text as every identity file the viewer and agent read: a
//! technician's identity, an organisation's key, a certificate, a trust
//! list. Each parse returns a value or a named error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_secure::identity::{parse_certificate, IdentityFile, OrgKeyFile, TrustStore};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = IdentityFile::parse(text);
    let _ = OrgKeyFile::parse(text);
    let _ = parse_certificate(text);
    let _ = TrustStore::parse(text);
});
