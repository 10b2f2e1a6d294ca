//! Seeds for `introduction` (real `Hello`s signed for the fixed session,
//! each assessed as its name says) and `identity_files` (the files the
//! real writers produce).

use crate::Seeds;
use tessera_fuzz::fixtures::{self, key, Who, NOW, ORG_NAME, TECHNICIAN_NAME};
use tessera_proto::identity::Certificate;
use tessera_proto::peer::Hello;
use tessera_proto::Grants;
use tessera_secure::identity::{
    assess, certificate_text, issue, signed_hello, IdentityFile, Introduction, NotThisSession,
    NotVerified, OrgKeyFile, SessionBinding, Statement, Verification, NO_SIGNATURE,
};

const DAY: u64 = 24 * 60 * 60;

/// The trusted organisation's certificate for `who`, valid over `days`
/// around [`NOW`] (negative: before it).
fn certificate(issuer: Who, org: &str, who: Who, from: i64, to: i64) -> Certificate {
    let at = |days: i64| NOW.checked_add_signed(days * DAY as i64).expect("in range");
    issue(
        &key(issuer),
        Statement {
            name: TECHNICIAN_NAME.into(),
            org: org.into(),
            key: key(who).public(),
            not_before: at(from),
            not_after: at(to),
        },
    )
}

fn valid() -> Certificate {
    certificate(Who::Org, ORG_NAME, Who::Technician, -1, 365)
}

fn hello(
    name: &str,
    org: Option<&str>,
    cert: Option<Certificate>,
    binding: &SessionBinding,
) -> Hello {
    let intro = Introduction {
        name: name.into(),
        org: org.map(Into::into),
        requested: Grants::parse_list("view,control,chat").expect("grants"),
        certificate: cert,
        ticket: None,
    };
    signed_hello(&intro, &key(Who::Technician), binding)
}

fn ours(name: &str, org: Option<&str>, cert: Option<Certificate>) -> Hello {
    hello(name, org, cert, &fixtures::binding())
}

/// [`ours`] for a session with a support ticket.
fn ours_with_ticket(cert: Option<Certificate>) -> Hello {
    let intro = Introduction {
        name: TECHNICIAN_NAME.into(),
        org: Some(ORG_NAME.into()),
        requested: Grants::parse_list("view,control,chat").expect("grants"),
        certificate: cert,
        ticket: Some(tessera_proto::peer::Ticket {
            id: "INC-1042".into(),
            priority: Some("high".into()),
        }),
    };
    signed_hello(&intro, &key(Who::Technician), &fixtures::binding())
}

pub fn introduction(seeds: &mut Seeds) {
    let not = |why| Ok(Verification::NotVerified(why));
    let verified = Ok(Verification::Verified {
        org: ORG_NAME.into(),
    });
    let me = Some(ORG_NAME);
    let mut tampered = valid();
    tampered.not_after += 1;
    let mut unsigned = ours(TECHNICIAN_NAME, me, Some(valid()));
    unsigned.signature = NO_SIGNATURE;
    let end = valid().not_after;
    let cases: Vec<(&str, u64, Hello, Result<Verification, NotThisSession>)> = vec![
        (
            "verified",
            NOW,
            ours(TECHNICIAN_NAME, me, Some(valid())),
            verified.clone(),
        ),
        (
            "verified_with_ticket",
            NOW,
            ours_with_ticket(Some(valid())),
            verified.clone(),
        ),
        (
            "verified_last_second",
            end - 1,
            ours(TECHNICIAN_NAME, me, Some(valid())),
            verified,
        ),
        (
            "expired_first_second",
            end,
            ours(TECHNICIAN_NAME, me, Some(valid())),
            not(NotVerified::Expired),
        ),
        (
            "no_certificate",
            NOW,
            ours(TECHNICIAN_NAME, me, None),
            not(NotVerified::NoCertificate),
        ),
        (
            "no_certificate_no_org",
            NOW,
            ours("Bob", None, None),
            not(NotVerified::NoCertificate),
        ),
        (
            "expired",
            NOW,
            ours(
                TECHNICIAN_NAME,
                me,
                Some(certificate(Who::Org, ORG_NAME, Who::Technician, -30, -1)),
            ),
            not(NotVerified::Expired),
        ),
        (
            "not_yet_valid",
            NOW,
            ours(
                TECHNICIAN_NAME,
                me,
                Some(certificate(Who::Org, ORG_NAME, Who::Technician, 1, 30)),
            ),
            not(NotVerified::NotYetValid),
        ),
        (
            "other_name",
            NOW,
            ours("Jane Dae", me, Some(valid())),
            not(NotVerified::NameMismatch),
        ),
        (
            "no_org",
            NOW,
            ours(TECHNICIAN_NAME, None, Some(valid())),
            not(NotVerified::NameMismatch),
        ),
        (
            "colleague_certificate",
            NOW,
            ours(
                TECHNICIAN_NAME,
                me,
                Some(certificate(Who::Org, ORG_NAME, Who::Colleague, -1, 365)),
            ),
            not(NotVerified::OtherKey),
        ),
        (
            "stranger_calls_itself_acme",
            NOW,
            ours(
                TECHNICIAN_NAME,
                me,
                Some(certificate(
                    Who::Stranger,
                    ORG_NAME,
                    Who::Technician,
                    -1,
                    365,
                )),
            ),
            not(NotVerified::UnknownOrg),
        ),
        (
            "trusted_key_other_org",
            NOW,
            ours(
                TECHNICIAN_NAME,
                Some("Other IT"),
                Some(certificate(Who::Org, "Other IT", Who::Technician, -1, 365)),
            ),
            not(NotVerified::UnknownOrg),
        ),
        (
            "tampered_certificate",
            NOW,
            ours(TECHNICIAN_NAME, me, Some(tampered)),
            not(NotVerified::BadSignature),
        ),
        (
            "escape_in_name",
            NOW,
            ours("Jane\u{1b}[2J", me, None),
            not(NotVerified::NoCertificate),
        ),
        (
            "other_session",
            NOW,
            hello(
                TECHNICIAN_NAME,
                me,
                Some(valid()),
                &fixtures::other_binding(),
            ),
            Err(NotThisSession),
        ),
        ("unsigned", NOW, unsigned, Err(NotThisSession)),
    ];
    let trust = fixtures::trust();
    for (name, now, hello, expected) in cases {
        assert_eq!(
            assess(&hello, &fixtures::binding(), &trust, now),
            expected,
            "introduction seed {name}"
        );
        seeds.add(
            "introduction",
            name,
            tessera_fuzz::introduction::encode(now, &hello),
        );
    }
}

pub fn identity_files(seeds: &mut Seeds) {
    let with_cert = IdentityFile {
        name: TECHNICIAN_NAME.into(),
        org: Some(ORG_NAME.into()),
        key: key(Who::Technician),
        certificate: Some(valid()),
    };
    let bare = IdentityFile {
        name: "Bob".into(),
        org: None,
        key: key(Who::Colleague),
        certificate: None,
    };
    let org = OrgKeyFile {
        org: ORG_NAME.into(),
        key: key(Who::Org),
    };
    let trust = format!(
        "# Organisations trusted to vouch for technicians\n{} {ORG_NAME}\n\n{} Stranger Things Ltd\n",
        key(Who::Org).public(),
        key(Who::Stranger).public()
    );
    let files = [
        ("identity", with_cert.to_text().to_string()),
        ("identity_without_certificate", bare.to_text().to_string()),
        ("organisation_key", org.to_text().to_string()),
        ("certificate", certificate_text(&valid())),
        ("trust", trust),
    ];
    assert!(IdentityFile::parse(&files[0].1).is_ok_and(|f| f.certificate == Some(valid())));
    assert!(IdentityFile::parse(&files[1].1).is_ok());
    assert!(OrgKeyFile::parse(&files[2].1).is_ok());
    assert_eq!(
        tessera_secure::identity::parse_certificate(&files[3].1),
        Ok(valid())
    );
    assert!(
        tessera_secure::identity::TrustStore::parse(&files[4].1).is_ok_and(|t| t.orgs().len() == 2)
    );
    for (name, text) in files {
        seeds.add("identity_files", name, text.into_bytes());
    }
}
