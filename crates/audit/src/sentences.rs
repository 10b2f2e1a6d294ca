//! Each fact of a record as one sentence for a person, in English or
//! French: the timeline of `audit show`, the replay window's event list
//! and the HTML report (which the person helped may read in French) all
//! say an event the same way. Everything the record itself holds (names,
//! chat, notes, typed text, file names) goes through [`shown`], so no
//! record can move a terminal's cursor or reorder the text.

use crate::record::{Certifier, Direction, Fact, Outcome, Side, TypedText};
use crate::timeline::{rfc3339, shown};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use tessera_input::{Button, RefusalKind};
use tessera_proto::Lang;

/// One fact in words, on one line: for input, what was done and what
/// became of it (injected, or refused and why).
pub fn describe(fact: &Fact, lang: Lang) -> String {
    let text = what(fact, lang);
    match (outcome(fact, lang), lang) {
        (Some(outcome), Lang::En) => format!("{text} {outcome}"),
        (Some(outcome), Lang::Fr) => format!("{text} : {outcome}"),
        (None, _) => text,
    }
}

/// Picks the sentence in `lang`.
fn say<T: Into<String>>(lang: Lang, en: T, fr: T) -> String {
    match lang {
        Lang::En => en.into(),
        Lang::Fr => fr.into(),
    }
}

/// The certifying key's kind.
pub(crate) fn certifier(kind: Certifier, lang: Lang) -> &'static str {
    match (kind, lang) {
        (Certifier::Device, Lang::En) => "device",
        (Certifier::Device, Lang::Fr) => "de l'appareil",
        (Certifier::Technician, Lang::En) => "technician",
        (Certifier::Technician, Lang::Fr) => "du technicien",
    }
}

/// Whose message: "from the person", "du technicien".
fn sender(side: Side, lang: Lang) -> &'static str {
    match (side, lang) {
        (Side::Agent, Lang::En) => "from the person",
        (Side::Agent, Lang::Fr) => "de la personne",
        (Side::Viewer, Lang::En) => "from the technician",
        (Side::Viewer, Lang::Fr) => "du technicien",
    }
}

fn towards(dir: Direction, lang: Lang) -> &'static str {
    match (dir, lang) {
        (Direction::ToAgent, Lang::En) => "to the person's computer",
        (Direction::ToAgent, Lang::Fr) => "vers l'ordinateur de la personne",
        (Direction::ToViewer, Lang::En) => "to the technician",
        (Direction::ToViewer, Lang::Fr) => "vers le technicien",
    }
}

fn button(b: Button, lang: Lang) -> &'static str {
    match (lang, b) {
        (Lang::En, b) => b.name(),
        (Lang::Fr, Button::Left) => "gauche",
        (Lang::Fr, Button::Middle) => "du milieu",
        (Lang::Fr, Button::Right) => "droit",
        (Lang::Fr, Button::Back) => "précédent",
        (Lang::Fr, Button::Forward) => "suivant",
    }
}

/// Why the agent did not verify the technician, for a reason code of
/// `tessera_proto::peer::NOT_VERIFIED_REASONS`; any other code (a record
/// may hold anything) is shown as it is, made safe.
pub(crate) fn why_not_verified(code: &str, lang: Lang) -> String {
    let words = match (lang, code) {
        (Lang::En, "no_certificate") => "no organisation certificate",
        (Lang::En, "other_key") => "the certificate is for another key",
        (Lang::En, "bad_signature") => "the certificate's signature does not hold",
        (Lang::En, "unknown_org") => "the person's computer does not trust this organisation",
        (Lang::En, "not_yet_valid") => "the certificate is not valid yet",
        (Lang::En, "expired") => "the certificate has expired",
        (Lang::En, "name_mismatch") => "the name or organisation differs from the certificate",
        (Lang::Fr, "no_certificate") => "aucun certificat d'organisation",
        (Lang::Fr, "other_key") => "le certificat est celui d'une autre clé",
        (Lang::Fr, "bad_signature") => "la signature du certificat n'est pas valable",
        (Lang::Fr, "unknown_org") => {
            "l'ordinateur de la personne ne fait pas confiance à cette organisation"
        }
        (Lang::Fr, "not_yet_valid") => "le certificat n'est pas encore valable",
        (Lang::Fr, "expired") => "le certificat a expiré",
        (Lang::Fr, "name_mismatch") => "le nom ou l'organisation diffère du certificat",
        _ => return shown(code),
    };
    words.into()
}

/// A hash as a person compares it: its first 16 hex digits.
fn short(hash: &[u8; 32]) -> String {
    format!("{}…", hex::encode(&hash[..8]))
}

/// Typed text as shown: a line feed (Enter) as ⏎, the rest as [`shown`].
fn typed(s: &str) -> String {
    shown(&s.replace(['\n', '\r'], "⏎"))
}

fn pressed(down: bool, lang: Lang) -> &'static str {
    match (down, lang) {
        (true, Lang::En) => "pressed",
        (false, Lang::En) => "released",
        (true, Lang::Fr) => "enfoncé",
        (false, Lang::Fr) => "relâché",
    }
}

/// What became of an input event, and why not when refused; `None`
/// for a fact that is not one.
fn outcome(fact: &Fact, lang: Lang) -> Option<String> {
    let (Fact::Key { outcome, why, .. }
    | Fact::Text { outcome, why, .. }
    | Fact::Click { outcome, why, .. }
    | Fact::Scroll { outcome, why, .. }
    | Fact::Moves { outcome, why, .. }) = fact
    else {
        return None;
    };
    let what = match (outcome, lang) {
        (Outcome::Injected, Lang::En) => "injected",
        (Outcome::Refused, Lang::En) => "refused",
        (Outcome::Injected, Lang::Fr) => "exécuté",
        (Outcome::Refused, Lang::Fr) => "refusé",
    };
    let Some(why) = why else {
        return Some(what.into());
    };
    let why = match (lang, why) {
        (Lang::En, RefusalKind::NotGranted) => "control was not granted",
        (Lang::En, RefusalKind::PromptOpen) => "a prompt was open on the person's screen",
        (Lang::En, RefusalKind::LocalUser) => "the person was using their keyboard or mouse",
        (Lang::En, RefusalKind::Flood) => "too many events too fast",
        (Lang::En, RefusalKind::Invalid) => "the event was out of bounds",
        (Lang::Fr, RefusalKind::NotGranted) => "le contrôle n'était pas autorisé",
        (Lang::Fr, RefusalKind::PromptOpen) => {
            "une question était ouverte sur l'écran de la personne"
        }
        (Lang::Fr, RefusalKind::LocalUser) => "la personne utilisait son clavier ou sa souris",
        (Lang::Fr, RefusalKind::Flood) => "trop d'événements trop vite",
        (Lang::Fr, RefusalKind::Invalid) => "l'événement était hors limites",
    };
    Some(match lang {
        Lang::En => format!("{what}: {why}"),
        Lang::Fr => format!("{what}, {why}"),
    })
}

/// What a fact says (for input, what was done; [`outcome`] says what
/// became of it).
fn what(fact: &Fact, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    match fact {
        Fact::LogOpened {
            side,
            relay,
            software,
            typed_text,
            ..
        } => {
            let side = match (lang, side) {
                (Lang::En, side) => side.name(),
                (Lang::Fr, Side::Agent) => "de la personne aidée",
                (Lang::Fr, Side::Viewer) => "du technicien",
            };
            let (software, relay) = (shown(software), shown(relay));
            let typed = match (typed_text, lang) {
                (TypedText::Recorded, Lang::En) => "recorded",
                (TypedText::Counted, Lang::En) => "only counted",
                (TypedText::Recorded, Lang::Fr) => "enregistré",
                (TypedText::Counted, Lang::Fr) => "seulement compté",
            };
            say(
                lang,
                format!("record of the {side} side opened by {software}, relay {relay}, typed text {typed}"),
                format!("enregistrement du côté {side} ouvert par {software}, relais {relay}, texte tapé {typed}"),
            )
        }
        Fact::Tick { wall_ms } => match rfc3339(*wall_ms) {
            Some(time) => say(lang, "tick: wall clock ", "top : horloge ") + &time,
            None => say(
                lang,
                format!("tick: wall clock {wall_ms} ms (out of range)"),
                format!("top : horloge {wall_ms} ms (hors limites)"),
            ),
        },
        Fact::Nameplate { nameplate } => {
            say(lang, "nameplate ", "numéro de rendez-vous ") + &shown(nameplate)
        }
        Fact::Paired => say(lang, "paired by the relay", "mis en relation par le relais"),
        Fact::Secured { peer_fingerprint } => {
            let hash = short(&peer_fingerprint.0);
            say(
                lang,
                format!("end-to-end channel secured, the other side's certificate sha256 {hash}"),
                format!("canal chiffré de bout en bout établi, certificat de l'autre côté sha256 {hash}"),
            )
        }
        Fact::PeerLogKey {
            origin,
            key,
            certified_by: by,
        } => {
            let (origin, key) = (shown(origin), STANDARD.encode(key.0));
            let (kind, by) = (certifier(by.kind, lang), STANDARD.encode(by.key.0));
            say(
                lang,
                format!("the other side's log {origin} has key {key}, certified by {kind} key {by}"),
                format!("le journal de l'autre côté {origin} a la clé {key}, certifiée par la clé {kind} {by}"),
            )
        }
        Fact::Technician {
            name,
            org,
            verified_by,
            not_verified,
        } => {
            let org = org
                .as_ref()
                .map_or(String::new(), |o| format!(" ({})", shown(o)));
            let verified = match (verified_by, not_verified) {
                (Some(by), _) => say(lang, "verified by ", "vérifié par ") + &shown(by),
                (None, Some(why)) => {
                    say(lang, "not verified: ", "non vérifié : ") + &why_not_verified(why, lang)
                }
                (None, None) => say(lang, "not verified", "non vérifié"),
            };
            let name = shown(name);
            say(
                lang,
                format!("technician {name}{org}, {verified}"),
                format!("technicien {name}{org}, {verified}"),
            )
        }
        Fact::Ticket { id, priority } => {
            let id = shown(id);
            match priority {
                Some(p) => format!(
                    "ticket {id} ({} {})",
                    say(lang, "priority", "priorité"),
                    shown(p)
                ),
                None => format!("ticket {id}"),
            }
        }
        Fact::ConsentRequested { requested } => {
            say(lang, "consent requested: ", "autorisation demandée : ") + &requested.words(lang)
        }
        Fact::Consent { granted } => {
            say(lang, "consent: granted ", "autorisation : accordé ") + &granted.words(lang)
        }
        Fact::GrantChanged { granted } => {
            say(lang, "grants changed: ", "autorisations modifiées : ") + &granted.words(lang)
        }
        Fact::UpgradeRequested { requested } => {
            say(lang, "more asked: ", "davantage demandé : ") + &requested.words(lang)
        }
        Fact::UpgradeGranted { granted } => {
            say(
                lang,
                "more granted: grants now ",
                "davantage accordé : autorisations ",
            ) + &granted.words(lang)
        }
        Fact::UpgradeRefused { why } => {
            say(lang, "more refused: ", "davantage refusé : ") + why.describe_in(lang)
        }
        Fact::ContinueCheck { open: true } => say(
            lang,
            "the person was asked whether the session should go on",
            "on a demandé à la personne si la session devait continuer",
        ),
        Fact::ContinueCheck { open: false } => say(
            lang,
            "the person said the session should go on",
            "la personne a confirmé que la session devait continuer",
        ),
        Fact::Key {
            key, down, text, ..
        } => {
            let text = text.map_or(String::new(), |c| {
                format!(" (\"{}\")", typed(&c.to_string()))
            });
            let (verb, name) = (pressed(*down, lang), key.name());
            say(
                lang,
                format!("key {name} {verb}{text}"),
                format!("touche {name} {verb}e{text}"),
            )
        }
        Fact::Text {
            text: Some(text),
            chars,
            ..
        } => say(
            lang,
            format!("typed \"{}\" ({chars} characters)", typed(text)),
            format!("tapé « {} » ({chars} caractères)", typed(text)),
        ),
        Fact::Text { chars, .. } => say(
            lang,
            format!("typed {chars} characters"),
            format!("{chars} caractères tapés"),
        ),
        Fact::Click {
            button: b,
            down,
            x,
            y,
            ..
        } => {
            let (verb, b) = (pressed(*down, lang), button(*b, lang));
            say(
                lang,
                format!("{b} button {verb} at {x},{y}"),
                format!("bouton {b} {verb} en {x},{y}"),
            )
        }
        Fact::Scroll { dx, dy, .. } => say(
            lang,
            format!("wheel turned {dx},{dy}"),
            format!("molette tournée de {dx},{dy}"),
        ),
        Fact::Moves { count, x, y, .. } => say(
            lang,
            format!("pointer moved {count} times, to {x},{y}"),
            format!("pointeur déplacé {count} fois, jusqu'en {x},{y}"),
        ),
        Fact::Chat { from, text } => {
            let (from, text) = (sender(*from, lang), shown(text));
            say(
                lang,
                format!("chat {from}: {text}"),
                format!("message {from} : {text}"),
            )
        }
        Fact::Clipboard { dir, bytes, sha256 } => {
            let (dir, hash) = (towards(*dir, lang), short(&sha256.0));
            say(
                lang,
                format!("clipboard {dir}: {bytes} bytes, sha256 {hash}"),
                format!("presse-papiers {dir} : {bytes} octets, sha256 {hash}"),
            )
        }
        Fact::File {
            dir,
            name,
            bytes,
            sha256,
        } => {
            let (name, dir, hash) = (shown(name), towards(*dir, lang), short(&sha256.0));
            say(
                lang,
                format!("file {name} {dir}: {bytes} bytes, sha256 {hash}"),
                format!("fichier {name} {dir} : {bytes} octets, sha256 {hash}"),
            )
        }
        Fact::FileOffered {
            dir,
            name,
            files,
            bytes,
        } => {
            let (name, dir) = (shown(name), towards(*dir, lang));
            say(
                lang,
                format!("offered {name} {dir}: {files} file(s), {bytes} bytes"),
                format!("proposé {name} {dir} : {files} fichier(s), {bytes} octets"),
            )
        }
        Fact::FetchAnswered { path, allowed } => {
            let path = shown(path);
            match allowed {
                true => say(
                    lang,
                    format!("the person let the technician have {path}"),
                    format!("la personne a accepté d'envoyer {path} au technicien"),
                ),
                false => say(
                    lang,
                    format!("the person refused the technician {path}"),
                    format!("la personne a refusé d'envoyer {path} au technicien"),
                ),
            }
        }
        Fact::LocalUser { active: true } => say(
            lang,
            "the person is using their keyboard or mouse: remote input paused",
            "la personne utilise son clavier ou sa souris : contrôle à distance en pause",
        ),
        Fact::LocalUser { active: false } => say(
            lang,
            "the person stopped using their keyboard and mouse: remote input resumed",
            "la personne n'utilise plus son clavier ni sa souris : contrôle à distance repris",
        ),
        Fact::Note { text } => say(lang, "note: ", "note : ") + &shown(text),
        Fact::PeerCheckpoint { note } => {
            let size = crate::note::Note::parse(note.as_bytes())
                .ok()
                .and_then(|n| crate::checkpoint::Checkpoint::parse(&n.text).ok())
                .map(|c| c.size);
            match (size, fr) {
                (Some(n), false) => {
                    format!("the other side's checkpoint at {n} events, checked and cosigned")
                }
                (Some(n), true) => {
                    format!("point de contrôle de l'autre côté à {n} événements, vérifié et contresigné")
                }
                (None, false) => "the other side's checkpoint, checked and cosigned".into(),
                (None, true) => "point de contrôle de l'autre côté, vérifié et contresigné".into(),
            }
        }
        Fact::Cosigned { size, .. } => say(
            lang,
            format!("the other side cosigned our checkpoint at {size} events"),
            format!("l'autre côté a contresigné notre point de contrôle à {size} événements"),
        ),
        Fact::ScreenSegment {
            i, len, keyframe, ..
        } => {
            let keyframe = match (keyframe, fr) {
                (false, _) => "",
                (true, false) => ", keyframe",
                (true, true) => ", image complète",
            };
            say(
                lang,
                format!("screen segment {i}: {len} bytes{keyframe}"),
                format!("segment d'écran {i} : {len} octets{keyframe}"),
            )
        }
        Fact::Snapshot { seq, sha256 } => {
            let hash = short(&sha256.0);
            say(
                lang,
                format!("screen snapshot saved (update {seq}), sha256 {hash}"),
                format!("capture d'écran enregistrée (mise à jour {seq}), sha256 {hash}"),
            )
        }
        Fact::Error { what } => say(lang, "error: ", "erreur : ") + &shown(what),
        Fact::SessionEnded { reason, detail } => {
            let reason = reason.describe_in(lang);
            let detail = detail
                .as_ref()
                .map_or(String::new(), |d| format!(" ({})", shown(d)));
            say(lang, "session ended: ", "fin de la session : ") + reason + &detail
        }
        Fact::LogClosed => say(lang, "record closed", "enregistrement fermé"),
    }
}
