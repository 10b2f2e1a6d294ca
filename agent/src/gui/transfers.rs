//! The transfers in the indicator: each file or folder coming in or going
//! out, how far it is, a Stop for each under way, and the last few that
//! ended, whole or not. Only Stop: nothing here starts a transfer.

use super::UiEvent;
use eframe::egui;
use tessera_session::consent::Lang;
use tessera_session::terminal::file_words::{transfer_line, transfer_over, transfer_words};
use tessera_session::transfer_list::TransferList;

/// The transfers of the session, as the indicator lists them.
#[derive(Default)]
pub struct Transfers {
    /// What the events said.
    pub list: TransferList,
    /// Where received files land, once known.
    pub folder: Option<String>,
}

impl Transfers {
    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Draws the list; a Stop pressed goes to `events`.
    pub fn show(&self, ui: &mut egui::Ui, lang: Lang, events: &mut Vec<UiEvent>) {
        let words = transfer_words(lang);
        ui.label(egui::RichText::new(words.files).strong());
        for t in self.list.iter() {
            ui.horizontal(|ui| match t.ended {
                None => {
                    ui.label(transfer_line(t.dir, &t.name, t.done, t.of, lang));
                    if ui.button(words.stop).clicked() {
                        events.push(UiEvent::StopFile(t.id));
                    }
                }
                Some(why) => {
                    ui.label(transfer_over(t.dir, &t.name, why, lang));
                }
            });
        }
        if let Some(folder) = &self.folder {
            ui.label(format!("{} {folder}", words.land_in));
        }
    }
}
