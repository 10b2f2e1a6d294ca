//! The technician's files panel: a path of this computer to send, a path
//! of the person's to fetch (they are asked first), each transfer with
//! its progress and a Cancel, and where fetched files land. Files dropped
//! on the window are sent too. Every rule (the grant, the numbering, the
//! fetch path) is the session machine's: this only asks.

use super::session_view::SessionView;
use eframe::egui;
use tessera_proto::Permission;
use tessera_session::consent::Lang;
use tessera_session::transfer_list::TransferList;
use tessera_session::viewer::ViewerInput;
use tessera_session::viewer_words::files::{files_words, sending_line, sending_over};

/// What the panel keeps between frames.
#[derive(Default)]
pub struct Files {
    /// Whether it is open.
    pub open: bool,
    /// The path being typed to send.
    pub send_path: String,
    /// The path being typed to fetch.
    pub fetch_path: String,
    /// The session's transfers.
    pub list: TransferList,
    /// Where fetched files land.
    pub receive_dir: String,
}

/// Draws the panel.
pub fn panel(ui: &mut egui::Ui, s: &mut SessionView, lang: Lang) {
    let w = files_words(lang);
    ui.heading(w.title);
    if !s.view.may(Permission::Files) {
        ui.colored_label(super::colours::WARNING, w.not_granted);
    }
    let may = s.view.may(Permission::Files);
    ui.add_space(6.0);
    ui.label(w.send_label);
    if let Some(path) = path_field(ui, may, &mut s.files.send_path, w.send) {
        s.send(ViewerInput::UserSendFile(path.into()));
    }
    ui.label(egui::RichText::new(w.drop_hint).weak());
    ui.add_space(6.0);
    ui.label(w.fetch_label);
    if let Some(path) = path_field(ui, may, &mut s.files.fetch_path, w.fetch) {
        s.send(ViewerInput::UserFetchFile(path));
    }
    ui.separator();
    let mut cancel = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        for t in s.files.list.iter() {
            ui.horizontal_wrapped(|ui| match t.ended {
                None => {
                    ui.label(sending_line(t.dir, &t.name, t.done, t.of, lang));
                    if ui.button(w.cancel).clicked() {
                        cancel = Some(t.id);
                    }
                }
                Some(why) => {
                    ui.label(sending_over(t.dir, &t.name, why, lang));
                }
            });
        }
    });
    if let Some(id) = cancel {
        s.send(ViewerInput::UserCancelFile(id));
    }
    ui.separator();
    ui.label(format!("{} {}", w.land_in, s.files.receive_dir));
}

/// A path field and its button; the path when the button (or Enter in
/// the field) asks for it.
fn path_field(ui: &mut egui::Ui, enabled: bool, text: &mut String, button: &str) -> Option<String> {
    let mut asked = false;
    ui.horizontal(|ui| {
        let field = ui.add_enabled(
            enabled,
            egui::TextEdit::singleline(text).desired_width(ui.available_width() - 90.0),
        );
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        asked = ui.add_enabled(enabled, egui::Button::new(button)).clicked() || enter;
    });
    let path = text.trim().to_string();
    (asked && !path.is_empty()).then(|| {
        text.clear();
        path
    })
}

/// Files dropped on the window: each is sent (the machine refuses them
/// without the grant), and the panel opens to show them going.
pub fn dropped(ctx: &egui::Context, s: &mut SessionView) {
    let dropped = ctx.input(|i| i.raw.dropped_files.clone());
    for file in dropped {
        let path = file.path();
        if path.is_absolute() {
            s.send(ViewerInput::UserSendFile(path.to_path_buf()));
            s.files.open = true;
        }
    }
}
