//! Every word of the technician's window, in English and French, side by
//! side so they stay in step: the connect screen, the wait for consent,
//! the session bar and status line. What went wrong, with what to do next,
//! is in [`end_advice`] and [`connect_error_advice`].

mod advice;
pub mod files;

pub use advice::{
    classify_connect_error, connect_error_advice, end_advice, not_verified_reason, ConnectError,
};

use crate::consent::Lang;
use tessera_proto::Permission;

/// Declares [`ViewerWords`] from its fields' docs and names, and a list of
/// every field for the tests.
macro_rules! viewer_words {
    ($($(#[doc = $doc:literal])* $field:ident,)*) => {
        /// The fixed words of the technician's window, in one language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct ViewerWords {
            $($(#[doc = $doc])* pub $field: &'static str,)*
        }

        impl ViewerWords {
            /// Every field, named.
            #[cfg(test)]
            fn all(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($field), self.$field),)*]
            }
        }
    };
}

viewer_words! {
    /// The connect screen's title.
    connect_title,
    /// The code field's label.
    code_label,
    /// The code field's hint.
    code_hint,
    /// The relay field's label.
    relay_label,
    /// The relay field's hint.
    relay_hint,
    /// The relay fingerprint field's label.
    relay_fingerprint_label,
    /// The relay fingerprint field's hint.
    relay_fingerprint_hint,
    /// The identity file field's label.
    identity_label,
    /// The identity file field's hint.
    identity_hint,
    /// The technician's name field.
    name_label,
    /// The technician's organisation field.
    org_label,
    /// The receive folder field's label.
    receive_label,
    /// Before the default receive folder, as the field's hint.
    receive_hint,
    /// Above the permissions asked for.
    ask_for,
    /// The `view` permission.
    view_name,
    /// What `view` lets the technician do.
    view_explained,
    /// The `control` permission.
    control_name,
    /// What `control` lets the technician do.
    control_explained,
    /// The `clipboard` permission.
    clipboard_name,
    /// What `clipboard` lets the technician do.
    clipboard_explained,
    /// The `files` permission.
    files_name,
    /// What `files` lets the technician do.
    files_explained,
    /// The `chat` permission.
    chat_name,
    /// What `chat` lets the technician do.
    chat_explained,
    /// The connect button.
    connect,
    /// While the relay and the person's computer are reached.
    connecting,
    /// The waiting screen's heading.
    waiting,
    /// Under it: what the person is doing.
    waiting_detail,
    /// Before the organisation the person sees vouching for the technician.
    seen_verified,
    /// How the person sees a technician nobody vouches for.
    seen_not_verified,
    /// Cancels the wait (ends the session).
    cancel,
    /// Before the permissions granted, on the session bar.
    granted,
    /// When nothing is granted.
    nothing_granted,
    /// Asks the person for more permissions.
    ask_for_more,
    /// While the person answers a request for more.
    asking_for_more,
    /// Opens the chat.
    chat,
    /// The chat box's hint.
    chat_hint,
    /// The intervention report's entry, in the chat panel.
    note_hint,
    /// Its button.
    note_add,
    /// Sends a chat line.
    send,
    /// Names the technician's own chat lines.
    you,
    /// Names the person's chat lines.
    them,
    /// The badge on the chat button when the person wrote.
    new_message,
    /// Saves the picture as a PNG file.
    snapshot,
    /// After a snapshot was saved, before its path.
    snapshot_saved,
    /// Chooses which of the person's displays to see.
    display,
    /// Ends the session.
    end_session,
    /// Fits the picture to the window.
    fit,
    /// One remote pixel on one screen pixel.
    actual_size,
    /// Zooms in.
    zoom_in,
    /// Zooms out.
    zoom_out,
    /// The menu of shortcuts the local desktop would catch.
    send_keys,
    /// While the keyboard is released to the technician's own desktop.
    keyboard_released,
    /// While the person uses their own mouse or keyboard.
    input_paused,
    /// While the person is asked whether the long session goes on.
    continue_check,
    /// When `control` is not granted.
    view_only,
    /// When `view` is not granted.
    no_picture,
    /// When the person changed what is granted.
    grants_changed,
    /// The window's title during a session.
    in_session,
    /// Before why a request for more got nothing.
    request_refused,
    /// Before the permission an action needed.
    not_granted,
    /// The Ask for more dialog's title.
    ask_more_title,
    /// What the Ask for more dialog does.
    ask_more_explain,
    /// Sends the request for more.
    ask_more_send,
    /// Why Ask for more is disabled when all is granted.
    ask_more_all_granted,
    /// What Fit does.
    fit_hint,
    /// What 1:1 does.
    actual_size_hint,
    /// Instead of the chat box without `chat`.
    chat_not_granted,
    /// When the remote screen exceeds the largest texture.
    screen_too_large,
    /// Before the reason a typed relay fingerprint is refused.
    bad_fingerprint,
    /// When Connect is pressed with nothing ticked.
    nothing_asked,
    /// In the view before the first picture.
    waiting_for_picture,
    /// The keyboard grab's checkbox.
    grab_keyboard,
    /// What the keyboard grab does.
    grab_keyboard_hint,
    /// When the grab cannot be made outside X11.
    grab_x11_only,
}

static EN: ViewerWords = ViewerWords {
    connect_title: "Connect to a person's computer",
    code_label: "Code the person reads to you",
    code_hint: "as their screen shows it, e.g. 482 913 577 2",
    relay_label: "Relay",
    relay_hint: "HOST:PORT",
    relay_fingerprint_label: "Relay fingerprint",
    relay_fingerprint_hint: "leave empty to trust on first use",
    identity_label: "Identity file",
    identity_hint: "optional: your key and your organisation's certificate",
    name_label: "Your name",
    org_label: "Organisation",
    receive_label: "Files received go to",
    receive_hint: "if empty:",
    ask_for: "What you ask for",
    view_name: "View",
    view_explained: "See their screen",
    control_name: "Control",
    control_explained: "Use their mouse and keyboard",
    clipboard_name: "Clipboard",
    clipboard_explained: "Copy and paste between your computers",
    files_name: "Files",
    files_explained: "Send and fetch files",
    chat_name: "Chat",
    chat_explained: "Write to each other",
    connect: "Connect",
    connecting: "Connecting…",
    waiting: "Waiting for the person to accept",
    waiting_detail: "They see your name and what you ask for, and choose what to allow.",
    seen_verified: "They see you as verified by",
    seen_not_verified: "They see you as NOT verified",
    cancel: "Cancel",
    granted: "Granted:",
    nothing_granted: "nothing",
    ask_for_more: "Ask for more",
    asking_for_more: "Waiting for the person's answer…",
    chat: "Chat",
    chat_hint: "Write a message",
    note_hint: "A line for the intervention report (cause, what was done, advice)",
    note_add: "Add to report",
    send: "Send",
    you: "You",
    them: "Them",
    new_message: "New message",
    snapshot: "Snapshot",
    snapshot_saved: "Snapshot saved to",
    display: "Display",
    end_session: "End session",
    fit: "Fit",
    actual_size: "1:1",
    zoom_in: "Zoom in",
    zoom_out: "Zoom out",
    send_keys: "Send keys",
    keyboard_released:
        "Keyboard released: click the screen to type there again (Ctrl+Alt releases it)",
    input_paused: "The person is using their mouse or keyboard: your input is paused",
    continue_check: "The person is asked whether the session should go on: your input is paused",
    view_only: "View only: you may not control this computer",
    no_picture: "The person does not share their screen",
    grants_changed: "The person changed what you may do",
    in_session: "In session",
    request_refused: "Request refused:",
    not_granted: "Not allowed by the person:",
    ask_more_title: "Ask the person for more",
    ask_more_explain: "Tick what you need; the person answers on their screen.",
    ask_more_send: "Ask",
    ask_more_all_granted: "Everything is already allowed",
    fit_hint: "The whole screen in the window (never enlarged: sharp)",
    actual_size_hint: "One pixel of theirs on one pixel of yours: the sharpest",
    chat_not_granted: "Chat is not allowed: ask for more to write",
    screen_too_large: "The remote screen is larger than this computer's graphics can show.",
    bad_fingerprint: "The relay fingerprint is not valid (64 hexadecimal characters expected):",
    nothing_asked: "Tick at least one thing to ask for.",
    waiting_for_picture: "Waiting for the first picture…",
    grab_keyboard: "Grab keyboard",
    grab_keyboard_hint:
        "Every key goes to their computer, Alt+Tab and Super included (Ctrl+Alt lets go)",
    grab_x11_only: "The keyboard grab needs an X11 session",
};

static FR: ViewerWords = ViewerWords {
    connect_title: "Se connecter à l'ordinateur d'une personne",
    code_label: "Code que la personne vous lit",
    code_hint: "tel que son écran l'affiche, par ex. 482 913 577 2",
    relay_label: "Relais",
    relay_hint: "HÔTE:PORT",
    relay_fingerprint_label: "Empreinte du relais",
    relay_fingerprint_hint: "laisser vide pour faire confiance à la première connexion",
    identity_label: "Fichier d'identité",
    identity_hint: "facultatif : votre clé et le certificat de votre organisation",
    name_label: "Votre nom",
    org_label: "Organisation",
    receive_label: "Les fichiers reçus vont dans",
    receive_hint: "si vide :",
    ask_for: "Ce que vous demandez",
    view_name: "Voir",
    view_explained: "Voir son écran",
    control_name: "Contrôler",
    control_explained: "Utiliser sa souris et son clavier",
    clipboard_name: "Presse-papiers",
    clipboard_explained: "Copier et coller entre vos ordinateurs",
    files_name: "Fichiers",
    files_explained: "Envoyer et récupérer des fichiers",
    chat_name: "Discussion",
    chat_explained: "Vous écrire",
    connect: "Se connecter",
    connecting: "Connexion…",
    waiting: "En attente de l'accord de la personne",
    waiting_detail: "Elle voit votre nom et ce que vous demandez, et choisit ce qu'elle autorise.",
    seen_verified: "Elle vous voit comme vérifié par",
    seen_not_verified: "Elle vous voit comme NON vérifié",
    cancel: "Annuler",
    granted: "Autorisé :",
    nothing_granted: "rien",
    ask_for_more: "Demander plus",
    asking_for_more: "En attente de la réponse de la personne…",
    chat: "Discussion",
    chat_hint: "Écrire un message",
    note_hint: "Une ligne du rapport d'intervention (cause, actions, conseils)",
    note_add: "Ajouter au rapport",
    send: "Envoyer",
    you: "Vous",
    them: "La personne",
    new_message: "Nouveau message",
    snapshot: "Capture",
    snapshot_saved: "Capture enregistrée dans",
    display: "Écran",
    end_session: "Terminer la session",
    fit: "Ajuster",
    actual_size: "1:1",
    zoom_in: "Agrandir",
    zoom_out: "Réduire",
    send_keys: "Envoyer des touches",
    keyboard_released:
        "Clavier libéré : cliquez sur l'écran pour y taper à nouveau (Ctrl+Alt le libère)",
    input_paused: "La personne utilise sa souris ou son clavier : vos actions sont suspendues",
    continue_check:
        "On demande à la personne si la session doit continuer : vos actions sont suspendues",
    view_only: "Lecture seule : vous ne pouvez pas contrôler cet ordinateur",
    no_picture: "La personne ne partage pas son écran",
    grants_changed: "La personne a changé ce que vous pouvez faire",
    in_session: "En session",
    request_refused: "Demande refusée :",
    not_granted: "Non autorisé par la personne :",
    ask_more_title: "Demander plus à la personne",
    ask_more_explain: "Cochez ce dont vous avez besoin ; la personne répond sur son écran.",
    ask_more_send: "Demander",
    ask_more_all_granted: "Tout est déjà autorisé",
    fit_hint: "Tout l'écran dans la fenêtre (jamais agrandi : net)",
    actual_size_hint: "Un pixel de son écran sur un pixel du vôtre : le plus net",
    chat_not_granted: "La discussion n'est pas autorisée : demandez plus pour écrire",
    screen_too_large: "L'écran distant est plus grand que ce que la carte graphique de cet ordinateur peut afficher.",
    bad_fingerprint: "L'empreinte du relais n'est pas valide (64 caractères hexadécimaux attendus) :",
    nothing_asked: "Cochez au moins une chose à demander.",
    waiting_for_picture: "En attente de la première image…",
    grab_keyboard: "Capturer le clavier",
    grab_keyboard_hint: "Toutes les touches vont à son ordinateur, Alt+Tab et Super compris (Ctrl+Alt libère)",
    grab_x11_only: "La capture du clavier demande une session X11",
};

/// The window's words in `lang`.
pub fn viewer_words(lang: Lang) -> &'static ViewerWords {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

impl ViewerWords {
    /// A permission's name and what it lets the technician do.
    pub fn permission(&self, permission: Permission) -> (&'static str, &'static str) {
        match permission {
            Permission::View => (self.view_name, self.view_explained),
            Permission::Control => (self.control_name, self.control_explained),
            Permission::Clipboard => (self.clipboard_name, self.clipboard_explained),
            Permission::Files => (self.files_name, self.files_explained),
            Permission::Chat => (self.chat_name, self.chat_explained),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::held_input::RELEASE_COMBINATION;

    #[test]
    fn every_word_is_there_in_both_languages() {
        let (en, fr) = (viewer_words(Lang::En).all(), viewer_words(Lang::Fr).all());
        assert_eq!(en.len(), fr.len());
        // Words that are the same in both languages.
        let same = ["org_label", "actual_size"];
        for ((field, en), (_, fr)) in en.iter().zip(&fr) {
            assert!(!en.trim().is_empty() && !fr.trim().is_empty(), "{field}");
            assert!(!en.chars().any(char::is_control), "{field}");
            assert!(!fr.chars().any(char::is_control), "{field}");
            assert_eq!(en == fr, same.contains(field), "{field}: {en} / {fr}");
        }
    }

    #[test]
    fn the_briefs_words_are_kept() {
        let en = viewer_words(Lang::En);
        assert_eq!(en.connect_title, "Connect to a person's computer");
        assert_eq!(
            en.relay_fingerprint_hint,
            "leave empty to trust on first use"
        );
        assert_eq!(en.waiting, "Waiting for the person to accept");
        assert_eq!(en.view_only, "View only: you may not control this computer");
        // The release words name the combination the rules use.
        for lang in [Lang::En, Lang::Fr] {
            let released = viewer_words(lang).keyboard_released;
            assert!(released.contains(RELEASE_COMBINATION), "{released}");
        }
    }

    #[test]
    fn every_permission_has_a_name_and_an_explanation() {
        for lang in [Lang::En, Lang::Fr] {
            let words = viewer_words(lang);
            let mut seen = std::collections::HashSet::new();
            for p in Permission::ALL {
                let (name, explained) = words.permission(p);
                assert!(seen.insert(name), "{name}");
                assert!(seen.insert(explained), "{explained}");
            }
            assert_eq!(seen.len(), 10);
        }
        assert_eq!(
            viewer_words(Lang::En).permission(Permission::Control),
            ("Control", "Use their mouse and keyboard")
        );
    }
}
