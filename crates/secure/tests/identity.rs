//! Technician identities: what the agent concludes about who is calling,
//! for every way a certificate or an introduction can be wrong.

use tessera_proto::identity::Certificate;
use tessera_proto::{Fingerprint, Grants};
use tessera_secure::identity::{
    assess, issue, signed_hello, Introduction, NotThisSession, NotVerified, SessionBinding,
    SigningKey, Statement, TrustError, TrustStore, Verification,
};

const NOW: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

fn binding(seed: u8) -> SessionBinding {
    SessionBinding {
        transcript: [seed; 32],
        agent: Fingerprint([seed.wrapping_add(1); 32]),
        viewer: Fingerprint([seed.wrapping_add(2); 32]),
    }
}

struct Org {
    key: SigningKey,
    trust: TrustStore,
}

fn acme() -> Org {
    let key = SigningKey::generate().expect("org key");
    let trust =
        TrustStore::parse(&format!("# trusted\n{} Acme IT\n", key.public())).expect("trust file");
    Org { key, trust }
}

fn certificate(org: &Org, name: &str, tech: &SigningKey, from: u64, until: u64) -> Certificate {
    issue(
        &org.key,
        Statement {
            name: name.into(),
            org: "Acme IT".into(),
            key: tech.public(),
            not_before: from,
            not_after: until,
        },
    )
}

fn intro(name: &str, certificate: Option<Certificate>) -> Introduction {
    Introduction {
        name: name.into(),
        org: Some("Acme IT".into()),
        requested: Grants::parse_list("view,control").expect("grants"),
        certificate,
        ticket: None,
    }
}

fn verdict(intro: &Introduction, tech: &SigningKey, trust: &TrustStore) -> Verification {
    let hello = signed_hello(intro, tech, &binding(1));
    assess(&hello, &binding(1), trust, NOW).expect("signed for this session")
}

#[test]
fn a_certified_technician_of_a_trusted_org_is_verified() {
    let org = acme();
    let jane = SigningKey::generate().expect("key");
    let cert = certificate(&org, "Jane Doe", &jane, NOW - DAY, NOW + DAY);
    assert_eq!(
        verdict(&intro("Jane Doe", Some(cert)), &jane, &org.trust),
        Verification::Verified {
            org: "Acme IT".into()
        }
    );
}

#[test]
fn every_flaw_in_the_certificate_shows_as_not_verified_with_its_reason() {
    let org = acme();
    let jane = SigningKey::generate().expect("key");
    let good = certificate(&org, "Jane Doe", &jane, NOW - DAY, NOW + DAY);
    let not = |why| Verification::NotVerified(why);

    assert_eq!(
        verdict(&intro("Jane Doe", None), &jane, &org.trust),
        not(NotVerified::NoCertificate)
    );
    // Signed by an organisation this machine does not trust.
    let stranger = acme();
    let foreign = certificate(&stranger, "Jane Doe", &jane, NOW - DAY, NOW + DAY);
    assert_eq!(
        verdict(&intro("Jane Doe", Some(foreign)), &jane, &org.trust),
        not(NotVerified::UnknownOrg)
    );
    let expired = certificate(&org, "Jane Doe", &jane, NOW - 2 * DAY, NOW - DAY);
    assert_eq!(
        verdict(&intro("Jane Doe", Some(expired)), &jane, &org.trust),
        not(NotVerified::Expired)
    );
    let early = certificate(&org, "Jane Doe", &jane, NOW + DAY, NOW + 2 * DAY);
    assert_eq!(
        verdict(&intro("Jane Doe", Some(early)), &jane, &org.trust),
        not(NotVerified::NotYetValid)
    );
    // A caller who types another name than the certificate's.
    assert_eq!(
        verdict(
            &intro("Microsoft Support", Some(good.clone())),
            &jane,
            &org.trust
        ),
        not(NotVerified::NameMismatch)
    );
    // A certificate whose name was edited after the organisation signed.
    let mut edited = good.clone();
    edited.name = "John Boss".into();
    assert_eq!(
        verdict(&intro("John Boss", Some(edited)), &jane, &org.trust),
        not(NotVerified::BadSignature)
    );
    // Someone else's certificate, presented with the caller's own key.
    let mallory = SigningKey::generate().expect("key");
    assert_eq!(
        verdict(&intro("Jane Doe", Some(good)), &mallory, &org.trust),
        not(NotVerified::OtherKey)
    );
}

#[test]
fn an_introduction_from_another_session_or_altered_on_the_way_is_refused() {
    let org = acme();
    let jane = SigningKey::generate().expect("key");
    let cert = certificate(&org, "Jane Doe", &jane, NOW - DAY, NOW + DAY);
    let hello = signed_hello(&intro("Jane Doe", Some(cert)), &jane, &binding(1));
    // Replayed into another session.
    assert_eq!(
        assess(&hello, &binding(2), &org.trust, NOW),
        Err(NotThisSession)
    );
    // The name changed after signing.
    let mut renamed = hello.clone();
    renamed.name = "Jane Doe (IT)".into();
    assert_eq!(
        assess(&renamed, &binding(1), &org.trust, NOW),
        Err(NotThisSession)
    );
    // More permissions asked after signing.
    let mut greedy = hello;
    greedy.requested = Grants::parse_list("view,control,files").expect("grants");
    assert_eq!(
        assess(&greedy, &binding(1), &org.trust, NOW),
        Err(NotThisSession)
    );
}

#[test]
fn trust_files_are_bounded_and_name_the_bad_line() {
    let key = SigningKey::generate().expect("key").public();
    let store = TrustStore::parse(&format!("\n# comment\n{key}   Acme IT  \n")).expect("parses");
    assert!(store.trusts("Acme IT", &key));
    assert!(!store.trusts("Acme", &key));
    assert_eq!(
        TrustStore::parse("abc Acme"),
        Err(TrustError::BadLine {
            line: 1,
            why: "the key is not 64 hexadecimal digits"
        })
    );
    assert!(matches!(
        TrustStore::parse(&format!("\n{key}")),
        Err(TrustError::BadLine { line: 2, .. })
    ));
    assert!(matches!(
        TrustStore::parse(&format!("{key} Acme\u{202E}TI")),
        Err(TrustError::BadLine { .. })
    ));
    assert_eq!(
        TrustStore::parse(&format!("{key} Acme IT # our provider")),
        Err(TrustError::BadLine {
            line: 1,
            why: "a # comment must be on a line of its own"
        })
    );
    assert!(matches!(
        TrustStore::parse(&" ".repeat(tessera_secure::identity::MAX_TRUST_FILE + 1)),
        Err(TrustError::TooLarge(_))
    ));
}

#[test]
fn keys_survive_being_stored() {
    let key = SigningKey::generate().expect("key");
    let again = SigningKey::from_pkcs8(key.pkcs8()).expect("reload");
    assert_eq!(again.public(), key.public());
    assert!(SigningKey::from_pkcs8(b"not a key").is_err());
}

#[test]
fn identity_files_round_trip_and_name_what_is_wrong() {
    use tessera_secure::identity::{
        certificate_text, parse_certificate, FileError, IdentityFile, OrgKeyFile,
    };
    let org = acme();
    let org_file = OrgKeyFile::parse(
        &OrgKeyFile {
            org: "Acme IT".into(),
            key: SigningKey::from_pkcs8(org.key.pkcs8()).expect("copy"),
        }
        .to_text(),
    )
    .expect("org key file");
    assert_eq!(org_file.key.public(), org.key.public());

    let jane = SigningKey::generate().expect("key");
    let cert = certificate(&org, "Jane Doe", &jane, NOW - DAY, NOW + DAY);
    assert_eq!(
        parse_certificate(&certificate_text(&cert)),
        Ok(cert.clone())
    );
    let file = IdentityFile {
        name: "Jane Doe".into(),
        org: Some("Acme IT".into()),
        key: jane,
        certificate: Some(cert.clone()),
    };
    let again = IdentityFile::parse(&file.to_text()).expect("identity file");
    assert_eq!(again.name, "Jane Doe");
    assert_eq!(again.org.as_deref(), Some("Acme IT"));
    assert_eq!(again.key.public(), file.key.public());
    assert_eq!(again.certificate, Some(cert));

    assert_eq!(
        IdentityFile::parse("name: Jane\n").map(|_| ()),
        Err(FileError::Missing("key"))
    );
    assert!(matches!(
        IdentityFile::parse("name: Jane\nname: Joe\n"),
        Err(FileError::BadLine { line: 2, .. })
    ));
    assert!(matches!(
        IdentityFile::parse("colour: blue\n"),
        Err(FileError::BadLine { line: 1, .. })
    ));
    assert!(matches!(
        IdentityFile::parse("name: Jane\nkey: zz\n"),
        Err(FileError::BadValue { field: "key", .. })
    ));
    assert!(matches!(
        IdentityFile::parse("name: Ja\u{202E}ne\nkey: 00\n"),
        Err(FileError::BadValue { field: "name", .. })
    ));
    assert!(matches!(
        parse_certificate("certificate: 0102\n"),
        Err(FileError::BadValue {
            field: "certificate",
            ..
        })
    ));
    assert!(matches!(
        IdentityFile::parse(&"#".repeat(20_000)),
        Err(FileError::TooLarge(_))
    ));
}
