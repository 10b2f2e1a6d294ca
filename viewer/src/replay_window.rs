//! `tessera-viewer audit replay PATH`: the screen as the technician saw
//! it, with the record's events beside it. Play, pause, seek with the
//! slider, change the speed, jump to the next event or click one (keys:
//! Space, N, Home, End, the arrows). The
//! rules (what the screen was at a moment, what each event says) are
//! `tessera_audit`'s: `replay::Player` and `timeline::entries`.

use eframe::egui;
use std::path::Path;
use std::time::Instant;
use tessera_audit::export::check;
use tessera_audit::files::read_record;
use tessera_audit::replay::Player;
use tessera_audit::timeline::{entries, Entry};
use tessera_proto::Lang;

/// The speeds offered.
const SPEEDS: [f64; 6] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// Opens the replay window on the record at `path`, speaking `lang`.
pub fn run(path: &Path, lang: Lang) -> Result<(), String> {
    let bytes = read_record(path).map_err(|e| e.to_string())?;
    let checked = check(&bytes);
    let recording = bytes.screen.ok_or_else(|| match lang {
        Lang::En => format!("{} has no screen recording", path.display()),
        Lang::Fr => format!("{} n'a pas d'enregistrement de l'écran", path.display()),
    })?;
    let player = Player::new(recording).map_err(|e| e.to_string())?;
    let app = ReplayApp {
        title: match lang {
            Lang::En => format!("Tessera replay: {}", path.display()),
            Lang::Fr => format!("Tessera, relecture : {}", path.display()),
        },
        lang,
        valid: checked.report.whole(),
        verdict: checked.verdict_in(lang),
        events: entries(&checked.report, false, lang),
        player,
        position_us: 0,
        playing: false,
        speed: 1.0,
        last_tick: None,
        texture: None,
        shown_us: None,
        error: None,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(app.title.clone())
            .with_app_id("tessera-replay")
            .with_inner_size([1280.0, 820.0]),
        ..Default::default()
    };
    eframe::run_native(
        "tessera-replay",
        options,
        Box::new(move |cc| {
            cc.egui_ctx.set_visuals(egui::Visuals::light());
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| {
        format!("cannot open the window ({e}): is there a display? try --at and --snapshot")
    })
}

struct ReplayApp {
    title: String,
    lang: Lang,
    valid: bool,
    verdict: String,
    events: Vec<Entry>,
    player: Player,
    /// The moment shown, µs since the record opened.
    position_us: u64,
    playing: bool,
    speed: f64,
    last_tick: Option<Instant>,
    texture: Option<egui::TextureHandle>,
    /// The moment the texture shows.
    shown_us: Option<u64>,
    error: Option<String>,
}

impl ReplayApp {
    /// Advances the clock while playing, stopping at the end.
    fn advance(&mut self, now: Instant) {
        let last = self.last_tick.replace(now);
        if !self.playing {
            return;
        }
        let elapsed = last.map_or(0.0, |t| now.duration_since(t).as_secs_f64());
        let step = (elapsed * self.speed * 1e6) as u64;
        self.position_us = self.position_us.saturating_add(step).min(self.end_us());
        if self.position_us >= self.end_us() {
            self.playing = false;
        }
    }

    fn end_us(&self) -> u64 {
        let last_event = self.events.last().map_or(0, |e| e.at_us);
        self.player.end_us().max(last_event)
    }

    /// Brings the picture to the moment shown.
    fn refresh(&mut self, ctx: &egui::Context) {
        if self.shown_us == Some(self.position_us) {
            return;
        }
        if let Err(e) = self.player.seek(self.position_us) {
            self.error = Some(e.to_string());
            self.playing = false;
        }
        self.shown_us = Some(self.position_us);
        let Some(frame) = self.player.frame() else {
            self.texture = None;
            return;
        };
        let rgba: Vec<u8> = frame
            .pixels()
            .chunks_exact(4)
            .flat_map(|p| [p[2], p[1], p[0], 255])
            .collect();
        let size = [frame.width() as usize, frame.height() as usize];
        let image = egui::ColorImage::from_rgba_unmultiplied(size, &rgba);
        match &mut self.texture {
            Some(texture) if texture.size() == size => {
                texture.set(image, egui::TextureOptions::LINEAR)
            }
            _ => {
                self.texture = Some(ctx.load_texture("replay", image, egui::TextureOptions::LINEAR))
            }
        }
    }

    /// The event at or just before the moment shown.
    fn current_event(&self) -> Option<usize> {
        self.events
            .iter()
            .rposition(|e| e.at_us <= self.position_us)
    }

    /// Plays (from the start, when at the end) or pauses.
    fn play_or_pause(&mut self) {
        if !self.playing && self.position_us >= self.end_us() {
            self.position_us = 0;
        }
        self.playing = !self.playing;
    }

    fn controls(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            // Words only: the built-in fonts have no ▶ or ⏸.
            let label = match (self.playing, self.lang) {
                (true, _) => "Pause",
                (false, Lang::En) => "Play",
                (false, Lang::Fr) => "Lecture",
            };
            if ui.button(label).clicked() {
                self.play_or_pause();
            }
            let next = match self.lang {
                Lang::En => "Next event",
                Lang::Fr => "Événement suivant",
            };
            if ui.button(next).clicked() {
                if let Some(next) = self.events.iter().find(|e| e.at_us > self.position_us) {
                    self.position_us = next.at_us;
                }
            }
            egui::ComboBox::from_id_salt("speed")
                .selected_text(format!("{}×", self.speed))
                .show_ui(ui, |ui| {
                    for speed in SPEEDS {
                        ui.selectable_value(&mut self.speed, speed, format!("{speed}×"));
                    }
                });
            ui.label(format!(
                "+{:.1} s / {:.1} s",
                self.position_us as f64 / 1e6,
                self.end_us() as f64 / 1e6
            ));
        });
        let mut seconds = self.position_us as f64 / 1e6;
        let end = self.end_us() as f64 / 1e6;
        let slider = egui::Slider::new(&mut seconds, 0.0..=end.max(0.001))
            .show_value(false)
            .trailing_fill(true);
        ui.spacing_mut().slider_width = ui.available_width();
        if ui.add(slider).changed() {
            self.position_us = (seconds * 1e6) as u64;
        }
    }

    /// Space plays or pauses, N jumps to the next event, Home and End
    /// go to the start and the end, the arrows step 5 s.
    fn keys(&mut self, ctx: &egui::Context) {
        let pressed = |key| ctx.input(|i| i.key_pressed(key));
        if pressed(egui::Key::Space) {
            self.play_or_pause();
        }
        if pressed(egui::Key::N) {
            if let Some(next) = self.events.iter().find(|e| e.at_us > self.position_us) {
                self.position_us = next.at_us;
            }
        }
        if pressed(egui::Key::Home) {
            self.position_us = 0;
        }
        if pressed(egui::Key::End) {
            self.position_us = self.end_us();
        }
        if pressed(egui::Key::ArrowRight) {
            self.position_us = (self.position_us + 5_000_000).min(self.end_us());
        }
        if pressed(egui::Key::ArrowLeft) {
            self.position_us = self.position_us.saturating_sub(5_000_000);
        }
    }

    fn event_list(&mut self, ui: &mut egui::Ui) {
        let current = self.current_event();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for (i, event) in self.events.iter().enumerate() {
                    let text = format!("+{:.1}s  {}", event.at_us as f64 / 1e6, event.text);
                    let row = ui.selectable_label(current == Some(i), text);
                    if current == Some(i) && self.playing {
                        row.scroll_to_me(None);
                    }
                    if row.clicked() {
                        self.position_us = event.at_us;
                    }
                }
            });
    }
}

impl eframe::App for ReplayApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.keys(ctx);
        self.advance(Instant::now());
        self.refresh(ctx);
        if self.playing {
            ctx.request_repaint();
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::Panel::top("verdict").show(ui, |ui| {
            let colour = match self.valid {
                true => egui::Color32::from_rgb(0x2e, 0x7d, 0x32),
                false => egui::Color32::from_rgb(0xc6, 0x28, 0x28),
            };
            ui.colored_label(colour, &self.verdict);
            if let Some(error) = &self.error {
                ui.colored_label(egui::Color32::from_rgb(0xc6, 0x28, 0x28), error);
            }
        });
        egui::Panel::bottom("controls").show(ui, |ui| self.controls(ui));
        egui::Panel::right("events")
            .default_size(380.0)
            .show(ui, |ui| {
                ui.heading(match self.lang {
                    Lang::En => "Events",
                    Lang::Fr => "Événements",
                });
                self.event_list(ui);
            });
        egui::CentralPanel::default().show(ui, |ui| match &self.texture {
            Some(texture) => {
                let size = texture.size_vec2();
                let room = ui.available_size();
                let scale = (room.x / size.x).min(room.y / size.y).min(1.0);
                ui.centered_and_justified(|ui| {
                    ui.add(egui::Image::new((texture.id(), size * scale)));
                });
            }
            None => {
                ui.centered_and_justified(|ui| {
                    ui.label(match self.lang {
                        Lang::En => "Nothing on the screen yet at this moment.",
                        Lang::Fr => "Rien à l'écran encore à ce moment.",
                    })
                });
            }
        });
    }
}
