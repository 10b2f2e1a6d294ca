//! The transfers in the indicator: each file or folder coming in or going
//! out, how far it is, a Stop for each under way, and the last few that
//! ended, whole or not. Only Stop: nothing here starts a transfer.

use super::UiEvent;
use eframe::egui;
use tessera_audit::record::Direction;
use tessera_proto::files::{FileStop, TransferId};
use tessera_session::consent::Lang;
use tessera_session::terminal::file_words::{transfer_line, transfer_over, transfer_words};
use tessera_session::SessionEvent;

/// Transfers over that stay listed.
const ENDED_KEPT: usize = 5;

struct Transfer {
    id: TransferId,
    dir: Direction,
    name: String,
    done: u64,
    of: u64,
    /// `Some` once over: `None` inside when whole.
    ended: Option<Option<FileStop>>,
}

/// The transfers of the session, as the indicator lists them.
#[derive(Default)]
pub struct Transfers {
    list: Vec<Transfer>,
    /// Where received files land, once known.
    pub folder: Option<String>,
}

impl Transfers {
    /// Follows a session event; `true` when a transfer started (the
    /// indicator opens, so the person sees it).
    pub fn event(&mut self, event: &SessionEvent) -> bool {
        match event {
            SessionEvent::FileOffered {
                id,
                dir,
                name,
                bytes,
                resumed,
                ..
            } => {
                self.list.retain(|t| t.id != *id);
                self.list.push(Transfer {
                    id: *id,
                    dir: *dir,
                    name: name.clone(),
                    done: *resumed,
                    of: *bytes,
                    ended: None,
                });
                return true;
            }
            SessionEvent::FileProgress { id, bytes, .. } => {
                if let Some(t) = self.find(*id) {
                    t.done = *bytes;
                }
            }
            SessionEvent::FileComplete { id } => self.end(*id, None),
            SessionEvent::FileFailed { id, why, .. } => self.end(*id, Some(*why)),
            _ => {}
        }
        false
    }

    fn find(&mut self, id: TransferId) -> Option<&mut Transfer> {
        self.list
            .iter_mut()
            .find(|t| t.id == id && t.ended.is_none())
    }

    fn end(&mut self, id: TransferId, why: Option<FileStop>) {
        if let Some(t) = self.find(id) {
            t.done = t.of.max(t.done);
            t.ended = Some(why);
        }
        let ended = self.list.iter().filter(|t| t.ended.is_some()).count();
        if ended > ENDED_KEPT {
            if let Some(oldest) = self.list.iter().position(|t| t.ended.is_some()) {
                self.list.remove(oldest);
            }
        }
    }

    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Draws the list; a Stop pressed goes to `events`.
    pub fn show(&self, ui: &mut egui::Ui, lang: Lang, events: &mut Vec<UiEvent>) {
        let words = transfer_words(lang);
        ui.label(egui::RichText::new(words.files).strong());
        for t in &self.list {
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
