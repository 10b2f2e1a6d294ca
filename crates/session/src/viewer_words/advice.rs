//! What went wrong, in plain words, and what the technician can do next:
//! for every way a session ends, for a connection that could not be made,
//! and for each reason the person may see them as not verified.

use crate::consent::Lang;
use tessera_proto::relay::{CloseReason, Refusal};
use tessera_proto::EndReason;

/// A headline and what to do next, for a session that ended with `reason`
/// (shown on the connect screen the window returns to).
pub fn end_advice(reason: EndReason, lang: Lang) -> (&'static str, &'static str) {
    use EndReason as R;
    match lang {
        Lang::En => match reason {
            R::UserEnded => (
                "The person ended the session.",
                "If they still need help, ask them for the new code their screen shows.",
            ),
            R::TechnicianEnded => (
                "You ended the session.",
                "To help again, ask the person for a new code.",
            ),
            R::Denied => (
                "The person declined.",
                "Ask them whether they want help now; a new code is needed.",
            ),
            R::ConsentTimeout => (
                "No answer: the person did not accept in time.",
                "Check that they are at their computer, then ask for the new code their screen shows.",
            ),
            R::WrongCode => (
                "The code did not match, so it can no longer be used.",
                "Ask the person to read you the new code their screen shows, slowly.",
            ),
            R::CodeExpired => (
                "This code is unknown, already used or expired.",
                "Ask the person for the new code their screen shows.",
            ),
            R::ConnectionLost => (
                "The connection was lost.",
                "Check your network, then ask the person for a new code.",
            ),
            R::RelayClosed => (
                "The relay closed the connection.",
                "Try again in a moment, or use another relay.",
            ),
            R::ProtocolError => (
                "The other computer sent something unexpected, so the session was closed.",
                "Make sure you both run the same version of Tessera, then try again with a new code.",
            ),
            R::RecordingFailed => (
                "The session record could not be written, so the session stopped.",
                "Check the disk space on both computers, then start again with a new code.",
            ),
            R::ContinueTimeout => (
                "Nobody confirmed that the long session should go on.",
                "If the person still needs help, ask them for a new code.",
            ),
        },
        Lang::Fr => match reason {
            R::UserEnded => (
                "La personne a terminé la session.",
                "Si elle a encore besoin d'aide, demandez-lui le nouveau code affiché sur son écran.",
            ),
            R::TechnicianEnded => (
                "Vous avez terminé la session.",
                "Pour l'aider à nouveau, demandez à la personne un nouveau code.",
            ),
            R::Denied => (
                "La personne a refusé.",
                "Demandez-lui si elle veut de l'aide maintenant ; il faut un nouveau code.",
            ),
            R::ConsentTimeout => (
                "Pas de réponse : la personne n'a pas accepté à temps.",
                "Vérifiez qu'elle est devant son ordinateur, puis demandez le nouveau code affiché sur son écran.",
            ),
            R::WrongCode => (
                "Le code ne correspondait pas : il ne peut plus servir.",
                "Demandez à la personne de vous lire lentement le nouveau code affiché sur son écran.",
            ),
            R::CodeExpired => (
                "Ce code est inconnu, déjà utilisé ou expiré.",
                "Demandez à la personne le nouveau code affiché sur son écran.",
            ),
            R::ConnectionLost => (
                "La connexion a été perdue.",
                "Vérifiez votre réseau, puis demandez à la personne un nouveau code.",
            ),
            R::RelayClosed => (
                "Le relais a fermé la connexion.",
                "Réessayez dans un instant, ou utilisez un autre relais.",
            ),
            R::ProtocolError => (
                "L'autre ordinateur a envoyé quelque chose d'inattendu : la session a été fermée.",
                "Vérifiez que vous utilisez la même version de Tessera, puis réessayez avec un nouveau code.",
            ),
            R::RecordingFailed => (
                "L'enregistrement de la session a échoué : la session s'est arrêtée.",
                "Vérifiez l'espace disque des deux ordinateurs, puis recommencez avec un nouveau code.",
            ),
            R::ContinueTimeout => (
                "Personne n'a confirmé que la longue session devait continuer.",
                "Si la personne a encore besoin d'aide, demandez-lui un nouveau code.",
            ),
        },
    }
}

/// Why a connection to the relay could not be made, as far as the
/// technician can act on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectError {
    /// The relay's address does not resolve, or nothing answers there.
    RelayUnreachable,
    /// The relay answered with a certificate that is not trusted, or not
    /// the one pinned or recorded.
    RelayNotTrusted,
    /// The relay answered but refused or closed (full, rate limit,
    /// shutting down, another version).
    RelayRefused,
    /// Anything else (a local file, TLS setup...): the message says it.
    Other,
}

/// Tells which [`ConnectError`] a connection error's message is: the
/// `Display` text of `tessera-net`'s `NetError`, or a relay refusal's or
/// close reason's sentence, possibly inside a longer message.
pub fn classify_connect_error(message: &str) -> ConnectError {
    let text = message.to_lowercase();
    let has = |part: &str| text.contains(&part.to_lowercase());
    // The certificate cases first: they must never read as a mere outage.
    // `NetError::RelayRejected` and `NetError::RelayCertificateChanged`.
    if has("could not be verified") || (has("presented certificate") && has("was expected")) {
        return ConnectError::RelayNotTrusted;
    }
    // `NetError::Resolve` and `NetError::Unreachable`.
    if has("cannot resolve relay address") || has("relay unreachable") {
        return ConnectError::RelayUnreachable;
    }
    let refusals = [Refusal::RateLimited, Refusal::Busy, Refusal::BadRequest];
    let refused = refusals.iter().any(|r| has(r.describe()))
        || CloseReason::ALL.iter().any(|c| has(c.describe()))
        || has("the relay closed the connection");
    if refused {
        return ConnectError::RelayRefused;
    }
    ConnectError::Other
}

/// A headline and what to do next, for a connection that failed as `kind`.
pub fn connect_error_advice(kind: ConnectError, lang: Lang) -> (&'static str, &'static str) {
    use ConnectError as C;
    match (lang, kind) {
        (Lang::En, C::RelayUnreachable) => (
            "The relay cannot be reached.",
            "Check the relay address and your network connection, then try again.",
        ),
        (Lang::En, C::RelayNotTrusted) => (
            "The relay could not be verified.",
            "Check its fingerprint with whoever runs it. If its certificate changed on purpose, update it; otherwise someone may be intercepting, so do not go on.",
        ),
        (Lang::En, C::RelayRefused) => (
            "The relay refused the connection.",
            "It may be busy or restarting: try again in a moment, or use another relay.",
        ),
        (Lang::En, C::Other) => (
            "Could not connect.",
            "Read the details below, correct what they name, then try again.",
        ),
        (Lang::Fr, C::RelayUnreachable) => (
            "Le relais est injoignable.",
            "Vérifiez l'adresse du relais et votre connexion réseau, puis réessayez.",
        ),
        (Lang::Fr, C::RelayNotTrusted) => (
            "Le relais n'a pas pu être vérifié.",
            "Vérifiez son empreinte auprès de qui l'exploite. Si son certificat a changé volontairement, mettez-le à jour ; sinon quelqu'un intercepte peut-être : n'allez pas plus loin.",
        ),
        (Lang::Fr, C::RelayRefused) => (
            "Le relais a refusé la connexion.",
            "Il est peut-être chargé ou en redémarrage : réessayez dans un instant, ou utilisez un autre relais.",
        ),
        (Lang::Fr, C::Other) => (
            "Connexion impossible.",
            "Lisez le détail ci-dessous, corrigez ce qu'il indique, puis réessayez.",
        ),
    }
}

/// Why the person sees the technician as not verified, in words, for a
/// reason code of `tessera_proto::peer::NOT_VERIFIED_REASONS` (an unknown
/// code gets a generic phrase).
pub fn not_verified_reason(reason: &str, lang: Lang) -> &'static str {
    match (lang, reason) {
        (Lang::En, "no_certificate") => "no organisation certificate",
        (Lang::En, "other_key") => "the certificate is for another key",
        (Lang::En, "bad_signature") => "the certificate's signature does not hold",
        (Lang::En, "unknown_org") => "their computer does not trust your organisation",
        (Lang::En, "not_yet_valid") => "your certificate is not valid yet",
        (Lang::En, "expired") => "your certificate has expired",
        (Lang::En, "name_mismatch") => "your name or organisation differs from the certificate",
        (Lang::En, _) => "for a reason this viewer does not know",
        (Lang::Fr, "no_certificate") => "pas de certificat d'organisation",
        (Lang::Fr, "other_key") => "le certificat est celui d'une autre clé",
        (Lang::Fr, "bad_signature") => "la signature du certificat n'est pas valable",
        (Lang::Fr, "unknown_org") => "son ordinateur ne fait pas confiance à votre organisation",
        (Lang::Fr, "not_yet_valid") => "votre certificat n'est pas encore valable",
        (Lang::Fr, "expired") => "votre certificat a expiré",
        (Lang::Fr, "name_mismatch") => "votre nom ou votre organisation diffère du certificat",
        (Lang::Fr, _) => "pour une raison que ce visualiseur ne connaît pas",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use tessera_net::NetError;
    use tessera_proto::peer::NOT_VERIFIED_REASONS;
    use tessera_proto::Fingerprint;

    const EVERY_END: [EndReason; 11] = [
        EndReason::UserEnded,
        EndReason::TechnicianEnded,
        EndReason::Denied,
        EndReason::ConsentTimeout,
        EndReason::WrongCode,
        EndReason::CodeExpired,
        EndReason::ConnectionLost,
        EndReason::RelayClosed,
        EndReason::ProtocolError,
        EndReason::RecordingFailed,
        EndReason::ContinueTimeout,
    ];

    /// Fails to compile when a reason is added, until it is listed above.
    #[test]
    fn every_end_reason_is_listed() {
        for reason in EVERY_END {
            match reason {
                EndReason::UserEnded
                | EndReason::TechnicianEnded
                | EndReason::Denied
                | EndReason::ConsentTimeout
                | EndReason::WrongCode
                | EndReason::CodeExpired
                | EndReason::ConnectionLost
                | EndReason::RelayClosed
                | EndReason::ProtocolError
                | EndReason::RecordingFailed
                | EndReason::ContinueTimeout => {}
            }
        }
    }

    #[test]
    fn every_end_has_its_own_headline_and_a_next_step_in_both_languages() {
        for lang in [Lang::En, Lang::Fr] {
            let mut headlines = std::collections::HashSet::new();
            for reason in EVERY_END {
                let (headline, next) = end_advice(reason, lang);
                assert!(headlines.insert(headline), "{reason}: {headline}");
                assert!(!next.is_empty(), "{reason}");
            }
        }
        assert_eq!(
            end_advice(EndReason::Denied, Lang::En),
            (
                "The person declined.",
                "Ask them whether they want help now; a new code is needed."
            )
        );
        assert_eq!(
            end_advice(EndReason::CodeExpired, Lang::En).1,
            "Ask the person for the new code their screen shows."
        );
        assert!(end_advice(EndReason::ConsentTimeout, Lang::En)
            .0
            .starts_with("No answer"));
    }

    fn addr() -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 7], 7700))
    }

    #[test]
    fn the_transport_errors_are_told_apart() {
        let cases = [
            (
                NetError::Resolve {
                    addr: "relay.invalid:7700".into(),
                    reason: "failed to lookup address information".into(),
                },
                ConnectError::RelayUnreachable,
            ),
            (
                NetError::Unreachable {
                    addr: addr(),
                    reason: "no answer within 5s".into(),
                },
                ConnectError::RelayUnreachable,
            ),
            (
                NetError::RelayRejected {
                    addr: addr(),
                    reason: "invalid peer certificate: UnknownIssuer".into(),
                },
                ConnectError::RelayNotTrusted,
            ),
            (
                NetError::RelayCertificateChanged {
                    addr: "relay.example:7700".into(),
                    seen: Fingerprint([1; 32]),
                    expected: Fingerprint([2; 32]),
                    source_of_trust: "recorded in /home/t/.config/tessera/known_relays".into(),
                },
                ConnectError::RelayNotTrusted,
            ),
            (
                NetError::File {
                    path: "/home/t/.config/tessera/known_relays".into(),
                    reason: "line 3 is not `HOST:PORT FINGERPRINT`".into(),
                },
                ConnectError::Other,
            ),
            (
                NetError::Tls("no cipher suites".into()),
                ConnectError::Other,
            ),
            (
                NetError::Closed("closed by peer (code 4)".into()),
                ConnectError::Other,
            ),
        ];
        for (error, kind) in cases {
            let message = error.to_string();
            assert_eq!(classify_connect_error(&message), kind, "{message}");
            // As the viewer reports it, inside a longer line.
            let wrapped = format!("tessera-viewer: {message}");
            assert_eq!(classify_connect_error(&wrapped), kind, "{wrapped}");
        }
    }

    #[test]
    fn the_relays_refusals_and_closes_read_as_refused() {
        for refusal in [Refusal::RateLimited, Refusal::Busy, Refusal::BadRequest] {
            assert_eq!(
                classify_connect_error(refusal.describe()),
                ConnectError::RelayRefused,
                "{refusal:?}"
            );
        }
        for close in CloseReason::ALL {
            assert_eq!(
                classify_connect_error(close.describe()),
                ConnectError::RelayRefused,
                "{close:?}"
            );
        }
        assert_eq!(
            classify_connect_error(&CloseReason::describe_code(99)),
            ConnectError::RelayRefused
        );
        assert_eq!(classify_connect_error("disk full"), ConnectError::Other);
    }

    #[test]
    fn every_connect_error_has_advice_in_both_languages() {
        let kinds = [
            ConnectError::RelayUnreachable,
            ConnectError::RelayNotTrusted,
            ConnectError::RelayRefused,
            ConnectError::Other,
        ];
        for lang in [Lang::En, Lang::Fr] {
            let mut headlines = std::collections::HashSet::new();
            for kind in kinds {
                let (headline, next) = connect_error_advice(kind, lang);
                assert!(headlines.insert(headline), "{kind:?}");
                assert!(!next.is_empty());
            }
        }
        assert_ne!(
            connect_error_advice(ConnectError::RelayNotTrusted, Lang::En),
            connect_error_advice(ConnectError::RelayNotTrusted, Lang::Fr)
        );
    }

    #[test]
    fn every_not_verified_reason_has_its_words() {
        for lang in [Lang::En, Lang::Fr] {
            let unknown = not_verified_reason("made_up", lang);
            let mut seen = std::collections::HashSet::new();
            for reason in NOT_VERIFIED_REASONS {
                let words = not_verified_reason(reason, lang);
                assert_ne!(words, unknown, "{reason}");
                assert!(seen.insert(words), "{reason}");
            }
        }
    }
}
