//! The window's few colours, one meaning each, the same on every screen.

use eframe::egui::Color32;

/// Granted, verified, ended as expected.
pub const GRANTED: Color32 = Color32::from_rgb(0x1b, 0x6e, 0x2e);
/// Something is paused or missing, and why.
pub const WARNING: Color32 = Color32::from_rgb(0xa3, 0x4a, 0x00);
/// NOT verified, an error, and the End button.
pub const NOT_VERIFIED: Color32 = Color32::from_rgb(0xb0, 0x1c, 0x1c);
