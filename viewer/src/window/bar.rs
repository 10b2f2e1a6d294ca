//! What surrounds the remote screen: the bar that always shows what is
//! granted and the session's actions, the status line, the chat panel,
//! and the "Ask for more" dialog; and the waiting screen before consent.

use super::colours::{GRANTED, NOT_VERIFIED, WARNING};
use super::session_view::SessionView;
use eframe::egui;
use std::time::Instant;
use tessera_proto::Permission;
use tessera_session::consent::Lang;
use tessera_session::system_keys::SystemShortcut;
use tessera_session::view_layout::Scale;
use tessera_session::viewer::ViewerInput;
use tessera_session::viewer_view::{display_label, AskMore, Phase};
use tessera_session::viewer_words::{not_verified_reason, viewer_words, ViewerWords};
use tessera_session::Side;

/// The top bar: granted now, and every action of the session; `grab` is
/// whether the technician wants the keyboard grab. Returns whether a
/// snapshot was asked for (the window writes it).
pub fn top_bar(ui: &mut egui::Ui, s: &mut SessionView, lang: Lang, grab: &mut bool) -> bool {
    let w = viewer_words(lang);
    let mut snapshot = false;
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new(w.granted).strong());
        let granted = s.view.granted();
        if granted.is_empty() {
            ui.colored_label(WARNING, w.nothing_granted);
        }
        for p in granted.iter() {
            ui.colored_label(GRANTED, w.permission(p).0);
        }
        ui.separator();
        let ask = s.view.ask_more();
        let button = ui.add_enabled(
            matches!(ask, AskMore::Allowed(_)),
            egui::Button::new(w.ask_for_more),
        );
        let button = match ask.why_not(lang) {
            Some(why) => button.on_disabled_hover_text(why),
            None => button,
        };
        if let (true, AskMore::Allowed(more)) = (button.clicked(), ask) {
            s.ask_more = Some(more);
        }
        let unread = s.view.unread();
        let chat = match unread {
            0 => w.chat.to_string(),
            n => format!("{} ({n})", w.chat),
        };
        let chat_button = egui::Button::new(chat).selected(s.view.chat_open());
        let chat_button = match unread {
            0 => chat_button,
            _ => chat_button.fill(egui::Color32::from_rgb(0xff, 0xe0, 0x8a)),
        };
        let chat_button = ui.add(chat_button);
        let chat_button = match unread {
            0 => chat_button,
            _ => chat_button.on_hover_text(w.new_message),
        };
        if chat_button.clicked() {
            s.view.toggle_chat();
        }
        if ui
            .add_enabled(s.screen.has_picture(), egui::Button::new(w.snapshot))
            .clicked()
        {
            snapshot = true;
        }
        let (displays, showing) = (s.view.displays(), s.view.showing());
        if displays.len() > 1 {
            let current = displays
                .get(showing as usize)
                .map(|d| display_label(d, showing))
                .unwrap_or_default();
            let mut chosen = None;
            egui::ComboBox::from_id_salt("display")
                .selected_text(format!("{} {current}", w.display))
                .show_ui(ui, |ui| {
                    for (i, d) in displays.iter().enumerate() {
                        let i = i as u32;
                        if ui
                            .selectable_label(i == showing, display_label(d, i))
                            .clicked()
                        {
                            chosen = Some(i);
                        }
                    }
                });
            if let Some(i) = chosen.filter(|i| *i != showing) {
                s.send(ViewerInput::UserShowDisplay(i));
            }
        }
        ui.separator();
        scale_buttons(ui, s, w);
        if s.view.may(Permission::Control) {
            ui.checkbox(grab, w.grab_keyboard)
                .on_hover_text(w.grab_keyboard_hint);
            ui.menu_button(w.send_keys, |ui| {
                for shortcut in SystemShortcut::MENU {
                    if ui.button(shortcut.label()).clicked() {
                        for event in shortcut.events().unwrap_or_default() {
                            s.send(ViewerInput::UserInput(event));
                        }
                        ui.close();
                    }
                }
            });
        }
        ui.separator();
        let files = tessera_session::viewer_words::files::files_words(lang);
        let running = s.files.list.running_count();
        let label = match running {
            0 => files.title.to_string(),
            n => format!("{} ({n})", files.title),
        };
        if ui
            .add(egui::Button::new(label).selected(s.files.open))
            .clicked()
        {
            s.files.open = !s.files.open;
        }
        ui.separator();
        let end = egui::Button::new(egui::RichText::new(w.end_session).color(egui::Color32::WHITE))
            .fill(NOT_VERIFIED);
        if ui.add(end).clicked() {
            s.end();
        }
    });
    snapshot
}

fn scale_buttons(ui: &mut egui::Ui, s: &mut SessionView, w: &ViewerWords) {
    let scale = s.screen.scale;
    if ui
        .selectable_label(scale == Scale::Fit, w.fit)
        .on_hover_text(w.fit_hint)
        .clicked()
    {
        s.screen.scale = Scale::Fit;
    }
    if ui
        .selectable_label(scale == Scale::Actual, w.actual_size)
        .on_hover_text(w.actual_size_hint)
        .clicked()
    {
        s.screen.scale = Scale::Actual;
    }
    let current = s.screen.device_scale();
    if ui.button("−").on_hover_text(w.zoom_out).clicked() {
        s.screen.scale = scale.zoom_out(current);
    }
    if ui.button("+").on_hover_text(w.zoom_in).clicked() {
        s.screen.scale = scale.zoom_in(current);
    }
}

/// The status line: figures, and why input does nothing when it does not.
pub fn status_line(ui: &mut egui::Ui, s: &mut SessionView, lang: Lang, now: Instant) {
    ui.horizontal_wrapped(|ui| {
        ui.label(s.view.figures(now).line(lang));
        if let Some(notice) = s.view.notice(now) {
            ui.separator();
            ui.label(notice.to_string());
        }
        if let Some(pause) = s.view.input_pause(s.screen.keyboard_released()) {
            ui.separator();
            ui.colored_label(WARNING, pause.words(lang));
        }
    });
}

/// The chat panel (open on demand; new lines are counted on its button).
pub fn chat_panel(ui: &mut egui::Ui, s: &mut SessionView, lang: Lang) {
    let w = viewer_words(lang);
    ui.heading(w.chat);
    let may_chat = s.view.may(Permission::Chat);
    egui::Panel::bottom("report-entry").show(ui, |ui| {
        // The report is the technician's own: whatever is granted.
        ui.horizontal(|ui| {
            let entry = ui.add(
                egui::TextEdit::singleline(&mut s.note_draft)
                    .hint_text(w.note_hint)
                    .desired_width(ui.available_width() - 120.0),
            );
            let enter = entry.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button(w.note_add).clicked() || enter) && !s.note_draft.trim().is_empty() {
                let text = std::mem::take(&mut s.note_draft);
                s.send(ViewerInput::UserNote(text));
            }
        });
    });
    egui::Panel::bottom("chat-entry").show(ui, |ui| {
        if !may_chat {
            ui.colored_label(WARNING, w.chat_not_granted);
            return;
        }
        ui.horizontal(|ui| {
            let entry = ui.add(
                egui::TextEdit::singleline(&mut s.draft)
                    .hint_text(w.chat_hint)
                    .desired_width(ui.available_width() - 60.0),
            );
            let enter = entry.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button(w.send).clicked() || enter) && !s.draft.trim().is_empty() {
                let text = std::mem::take(&mut s.draft);
                s.send(ViewerInput::UserChat(text));
                entry.request_focus();
            }
        });
    });
    egui::ScrollArea::vertical()
        .stick_to_bottom(true)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for line in s.view.chat() {
                let (who, colour) = match line.from {
                    Side::Agent => (w.them, egui::Color32::from_rgb(0x0b, 0x4f, 0x9c)),
                    Side::Viewer => (w.you, ui.visuals().text_color()),
                };
                let text = line.single_line();
                ui.label(egui::RichText::new(format!("{who}: {text}")).color(colour));
            }
        });
}

/// The "Ask for more" dialog: tick what to ask; the person answers a new
/// prompt on their screen.
pub fn ask_more(ctx: &egui::Context, s: &mut SessionView, lang: Lang) {
    let w = viewer_words(lang);
    let Some(mut ticked) = s.ask_more else {
        return;
    };
    let mut open = true;
    let mut sent = false;
    egui::Window::new(w.ask_more_title)
        .collapsible(false)
        .resizable(false)
        .open(&mut open)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.label(w.ask_more_explain);
            for p in s.view.askable().iter() {
                let mut on = ticked.contains(p);
                ui.checkbox(&mut on, w.permission(p).0)
                    .on_hover_text(w.permission(p).1);
                ticked = if on {
                    ticked.with(p)
                } else {
                    ticked.without(p)
                };
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!ticked.is_empty(), egui::Button::new(w.ask_more_send))
                    .clicked()
                {
                    s.send(ViewerInput::UserRequest(ticked));
                    sent = true;
                }
            });
        });
    s.ask_more = (open && !sent).then_some(ticked);
}

/// Before consent: what is happening, how the person sees the
/// technician, and Cancel.
pub fn waiting(ui: &mut egui::Ui, s: &mut SessionView, lang: Lang) {
    let w = viewer_words(lang);
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() / 4.0);
        let title = match s.view.phase() {
            Phase::Connecting => w.connecting,
            _ => w.waiting,
        };
        ui.heading(title);
        ui.add_space(12.0);
        ui.spinner();
        ui.add_space(12.0);
        if let Phase::Waiting(Some(seen)) = s.view.phase() {
            match (&seen.verified_by, seen.verified) {
                (Some(org), true) => {
                    ui.colored_label(GRANTED, format!("{} {org}", w.seen_verified));
                }
                _ => {
                    let why = seen
                        .not_verified
                        .as_deref()
                        .map(|r| not_verified_reason(r, lang));
                    let text = match why {
                        Some(why) => format!("{} ({why})", w.seen_not_verified),
                        None => w.seen_not_verified.to_string(),
                    };
                    ui.colored_label(NOT_VERIFIED, text);
                }
            }
            ui.add_space(8.0);
            ui.label(w.waiting_detail);
        }
        ui.add_space(24.0);
        if ui.button(w.cancel).clicked() {
            s.end();
        }
    });
}
