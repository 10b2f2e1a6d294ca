//! The technician's introduction as the agent checks it: a `Hello` from
//! the viewer's control stream through `Hello::validate` and
//! `identity::assess`, against a trust store holding one organisation and
//! a fixed session. Seeds are real signed introductions (with and without
//! certificates, expired, misnamed, from strangers), so mutations start
//! inside the signature and certificate checks.
//!
//! A technician is verified only by a certificate the trusted
//! organisation signed, for their key, their name and organisation, valid
//! now; and an introduction that holds for this session holds for no
//! other.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tessera_fuzz::fixtures::{self, Who, ORG_NAME};
use tessera_proto::identity::PublicKey;
use tessera_secure::identity::{
    assess, signature_holds, NotThisSession, NotVerified, TrustStore, Verification,
};

fn trusted() -> &'static (TrustStore, PublicKey) {
    static TRUST: OnceLock<(TrustStore, PublicKey)> = OnceLock::new();
    TRUST.get_or_init(|| (fixtures::trust(), fixtures::key(Who::Org).public()))
}

fuzz_target!(|data: &[u8]| {
    let Some((now, hello)) = tessera_fuzz::introduction::decode(data) else {
        return;
    };
    let (trust, org_key) = trusted();
    // The agent refuses a Hello that fails this before weighing it; both
    // are fuzzed whatever the other says.
    let _ = hello.validate();
    let verdict = assess(&hello, &fixtures::binding(), trust, now);
    match &verdict {
        Ok(Verification::Verified { org }) => {
            let cert = hello
                .certificate
                .as_ref()
                .expect("verified without a certificate");
            assert_eq!(cert.key, hello.key, "verified for another key");
            assert!(signature_holds(cert), "verified with a broken signature");
            assert_eq!(&cert.issuer, org_key, "verified by an untrusted key");
            assert_eq!(org, ORG_NAME);
            assert_eq!(&cert.org, org);
            assert!(
                cert.not_before <= now && now < cert.not_after,
                "verified outside {}..{}: {now}",
                cert.not_before,
                cert.not_after
            );
            assert_eq!(cert.name, hello.name, "verified under another name");
            assert_eq!(hello.org.as_deref(), Some(org.as_str()));
        }
        Ok(Verification::NotVerified(NotVerified::NoCertificate)) => {
            assert!(hello.certificate.is_none())
        }
        Ok(Verification::NotVerified(_)) => assert!(hello.certificate.is_some()),
        Err(NotThisSession) => {}
    }
    if verdict.is_ok() {
        assert_eq!(
            assess(&hello, &fixtures::other_binding(), trust, now),
            Err(NotThisSession),
            "an introduction for this session holds in another"
        );
    }
});
