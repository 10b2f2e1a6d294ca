//! The technician's window (eframe): connect with the person's code, wait
//! for their consent, then see and (when allowed) drive their screen. A
//! presentation of the viewer machine like the headless mode: no rule
//! lives here.

mod app;
mod bar;
mod bridge;
mod colours;
pub mod connect;
mod direct;
mod files_panel;
mod grab;
mod keys;
mod remote_screen;
mod session_view;
pub mod settings;

pub use app::Launch;
use eframe::egui;

/// No waiting for the display's vertical blank before a repaint shows:
/// a keystroke's echo should appear the moment it arrives.
fn egui_glow_options() -> eframe::egui_glow::GlowConfiguration {
    eframe::egui_glow::GlowConfiguration {
        vsync: false,
        ..Default::default()
    }
}

/// Shows the window until the technician closes it.
pub fn run(runtime: tokio::runtime::Handle, launch: Launch) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Tessera")
            .with_app_id("tessera-viewer")
            .with_inner_size([1280.0, 860.0])
            .with_min_inner_size([640.0, 420.0]),
        // Ctrl+C, Ctrl+V and Ctrl+X are keys for the remote machine, not
        // the window's own copy and paste.
        clipboard_shortcuts: false,
        // The remote picture is shown as it is: no noise added to its
        // pixels (and less work for every pixel of every repaint).
        dithering: false,
        glow_options: egui_glow_options(),
        ..Default::default()
    };
    eframe::run_native(
        "tessera-viewer",
        options,
        Box::new(move |cc| {
            cc.egui_ctx.set_visuals(egui::Visuals::light());
            Ok(Box::new(app::ViewerApp::new(
                cc.egui_ctx.clone(),
                runtime,
                launch,
            )))
        }),
    )
    .map_err(|e| format!("cannot open the window ({e}): is there a display? try --headless"))
}
