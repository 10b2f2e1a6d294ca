//! The remote screen in the window: one texture per remote size, brought
//! up to date only where the picture changed; the remote cursor drawn
//! from its shape; and the technician's keyboard and mouse turned into
//! input for the agent while they are over the picture.

use super::bridge::{lock, SharedPicture};
use super::direct::DirectPicture;
use super::keys::{remote_button, remote_key, wheel_unit};
use eframe::egui;
use std::sync::Arc;
use tessera_input::InputEvent;
use tessera_screen::{CursorShape, Pointer};
use tessera_session::consent::Lang;
use tessera_session::held_input::HeldInput;
use tessera_session::view_layout::{view_size, Scale, ViewMapping};
use tessera_session::viewer_words::viewer_words;
use tessera_session::wheel::Wheel;

/// A remote cursor shape: as a texture to draw where the remote pointer
/// is, and as an image for the technician's own cursor while they drive.
struct CursorImage {
    texture: egui::TextureHandle,
    hot: [u32; 2],
    own: Option<egui::CustomCursorImage>,
}

/// The picture, the cursor, and the input that goes to them.
pub struct RemoteScreen {
    picture: SharedPicture,
    texture: Option<egui::TextureHandle>,
    size: [usize; 2],
    nearest: bool,
    cursor: Option<(Pointer, Option<CursorImage>)>,
    /// How the picture is scaled.
    pub scale: Scale,
    /// Where the picture was drawn last (maps the pointer).
    mapping: Option<ViewMapping>,
    /// The pointer, in points, as the last events left it.
    pointer: Option<egui::Pos2>,
    last_move: Option<(u32, u32)>,
    held: HeldInput,
    wheel: Wheel,
    /// The picture is larger than this window can hold as a texture.
    too_large: Option<[usize; 2]>,
    /// Control is granted: over the picture, the remote cursor's shape
    /// follows the technician's pointer at once.
    control: bool,
    /// The part of the picture that shows (points), where the pointer
    /// counts as over it.
    visible: egui::Rect,
    /// The picture is larger than its place: in a scroll area, whose
    /// bars egui draws over it.
    scrolled: bool,
    /// The direct presenter leaves after this pass (see
    /// `present_directly`).
    leaving: bool,
    /// Shows the picture without egui when it can; `None` until tried.
    direct: Option<Option<Arc<DirectPicture>>>,
}

impl RemoteScreen {
    /// A screen drawing from `picture`.
    pub fn new(picture: SharedPicture) -> Self {
        Self {
            picture,
            texture: None,
            size: [0, 0],
            nearest: true,
            cursor: None,
            scale: Scale::Fit,
            mapping: None,
            pointer: None,
            last_move: None,
            held: HeldInput::default(),
            wheel: Wheel::default(),
            too_large: None,
            control: false,
            visible: egui::Rect::NOTHING,
            scrolled: false,
            leaving: false,
            direct: None,
        }
    }

    /// Whether a direct presenter was tried yet (once a session).
    pub fn direct_tried(&self) -> bool {
        self.direct.is_some()
    }

    /// The direct presenter for this session, if one could start.
    pub fn set_direct(&mut self, direct: Option<Arc<DirectPicture>>) {
        self.direct = Some(direct);
    }

    fn direct(&self) -> Option<&DirectPicture> {
        self.direct.as_ref()?.as_deref()
    }

    /// Whether a picture has arrived.
    pub fn has_picture(&self) -> bool {
        self.texture.is_some()
    }

    /// Physical pixels per remote pixel where the picture was last drawn
    /// (1 before it was).
    pub fn device_scale(&self) -> f32 {
        self.mapping.map_or(1.0, |m| m.device_scale())
    }

    /// Whether the keyboard was released with the release combination.
    pub fn keyboard_released(&self) -> bool {
        self.held.keyboard_released()
    }

    /// Brings the texture and the cursor up to date with what the session
    /// loop wrote: only the changed areas are uploaded; a new size
    /// allocates a new texture once.
    pub fn refresh(&mut self, ctx: &egui::Context) {
        let (changes, cursor) = {
            let mut picture = lock(&self.picture);
            (picture.take_changes(), picture.take_cursor())
        };
        if let Some(changes) = changes {
            let max = ctx.input(|i| i.max_texture_side);
            let options = self.options();
            if changes.size[0] > max || changes.size[1] > max {
                self.too_large = Some(changes.size);
                self.texture = None;
            } else if changes.resized {
                // One upload of the whole picture, as the new texture.
                self.too_large = None;
                if let Some((_, rgba)) = changes.areas.first() {
                    let image = egui::ColorImage::from_rgba_unmultiplied(changes.size, rgba);
                    self.texture = Some(ctx.load_texture("remote-screen", image, options));
                    self.size = changes.size;
                }
            } else if let Some(texture) = &mut self.texture {
                for (area, rgba) in changes.areas {
                    let size = [area.w as usize, area.h as usize];
                    let image = egui::ColorImage::from_rgba_unmultiplied(size, &rgba);
                    texture.set_partial([area.x as usize, area.y as usize], image, options);
                }
            } else {
                lock(&self.picture).invalidate();
                ctx.request_repaint();
            }
        }
        if let Some((pointer, shape)) = cursor {
            let kept = self.cursor.take().and_then(|(_, t)| t);
            let texture = match shape {
                Some(shape) => cursor_image(ctx, &shape).or(kept),
                None => kept,
            };
            self.cursor = Some((pointer, texture));
        }
    }

    fn options(&self) -> egui::TextureOptions {
        match self.nearest {
            true => egui::TextureOptions::NEAREST,
            false => egui::TextureOptions::LINEAR,
        }
    }

    /// Nothing of the picture shows (view not granted): the pointer maps
    /// nowhere, so no input goes to a screen the technician cannot see.
    pub fn hide(&mut self) {
        self.forget_place();
        if let Some(direct) = self.direct() {
            direct.place(None, (0, 0));
        }
    }

    fn forget_place(&mut self) {
        self.mapping = None;
        self.visible = egui::Rect::NOTHING;
    }

    /// Draws the picture scaled as chosen, and the remote cursor on it.
    pub fn show(&mut self, ui: &mut egui::Ui, lang: Lang) {
        self.forget_place();
        let words = viewer_words(lang);
        if let Some([w, h]) = self.too_large {
            self.hide();
            ui.centered_and_justified(|ui| {
                ui.colored_label(
                    egui::Color32::WHITE,
                    format!("{} ({w}x{h})", words.screen_too_large),
                )
            });
            return;
        }
        let Some(texture) = self.texture.clone() else {
            self.hide();
            ui.centered_and_justified(|ui| {
                ui.colored_label(egui::Color32::WHITE, words.waiting_for_picture)
            });
            return;
        };
        let remote = (self.size[0] as u32, self.size[1] as u32);
        let ppp = ui.ctx().pixels_per_point();
        let available = ui.available_size();
        let (w, h) = view_size(self.scale, remote, (available.x, available.y), ppp);
        let size = egui::vec2(w, h);
        self.scrolled = size.x > available.x + 0.5 || size.y > available.y + 0.5;
        if self.scrolled {
            egui::ScrollArea::both()
                .auto_shrink([false, false])
                .show(ui, |ui| self.paint(ui, &texture, size, remote, ppp));
        } else {
            // Centred in the space left.
            let free = available - size;
            ui.add_space(free.y / 2.0);
            ui.horizontal(|ui| {
                ui.add_space(free.x / 2.0);
                self.paint(ui, &texture, size, remote, ppp);
            });
        }
    }

    fn paint(
        &mut self,
        ui: &mut egui::Ui,
        texture: &egui::TextureHandle,
        size: egui::Vec2,
        remote: (u32, u32),
        ppp: f32,
    ) {
        let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
        let placed = ViewMapping::new((rect.min.x, rect.min.y), (size.x, size.y), remote, ppp);
        let (x, y) = placed.snapped_origin();
        let mapping = ViewMapping::new((x, y), (size.x, size.y), remote, ppp);
        let rect = egui::Rect::from_min_size(egui::pos2(x, y), size);
        if mapping.nearest() != self.nearest {
            // The filter is set with each upload: touch one pixel.
            self.nearest = mapping.nearest();
            lock(&self.picture).touch();
            ui.ctx().request_repaint();
        }
        self.mapping = Some(mapping);
        // Only what shows counts: not what a scroll area hides under the
        // bar, the status line or the chat.
        self.visible = rect.intersect(ui.clip_rect());
        if self.present_directly(ui.ctx(), &mapping) {
            return;
        }
        let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
        let painter = ui.painter_at(rect);
        painter.image(texture.id(), rect, uv, egui::Color32::WHITE);
        // While the technician drives over the picture, their own cursor
        // has the remote shape (`follow_cursor`); else it is drawn where
        // the remote pointer is.
        if let Some((pointer, Some(image))) = &self.cursor {
            if self.own_cursor().is_some() {
                return;
            }
            let (cx, cy) = mapping.from_remote((pointer.x, pointer.y));
            let (shape, [hot_x, hot_y]) = (&image.texture, &image.hot);
            let scale = mapping.device_scale() / ppp;
            let shape_size = shape.size_vec2() * scale;
            let min = egui::pos2(cx - *hot_x as f32 * scale, cy - *hot_y as f32 * scale);
            painter.image(
                shape.id(),
                egui::Rect::from_min_size(min, shape_size),
                uv,
                egui::Color32::WHITE,
            );
        }
    }

    /// Shows the picture through the direct presenter when it can show it
    /// exactly (1:1, all of it, nothing of ours over it, not even a
    /// scroll bar; every window of ours is drawn before the picture, so
    /// all are known); returns whether it does, and egui then draws
    /// neither the picture nor the cursor. When it no longer can, the
    /// presenter stays one more pass while egui draws the picture, and
    /// goes only once that pass is on the screen: unmapping it never
    /// uncovers an empty or stale place.
    fn present_directly(&mut self, ctx: &egui::Context, mapping: &ViewMapping) -> bool {
        let Some(direct) = self.direct.clone().flatten() else {
            return false;
        };
        let visible = self.visible;
        let placement = Some(mapping)
            .filter(|_| !self.scrolled && !covered(ctx, visible))
            .and_then(|m| {
                m.pixel_placement((
                    (visible.min.x, visible.min.y),
                    (visible.max.x, visible.max.y),
                ))
            });
        direct.set_local_cursor(self.own_cursor().is_some());
        let size = (self.size[0] as u32, self.size[1] as u32);
        if placement.is_some() {
            self.leaving = false;
            if direct.place(placement, size).shown {
                return true;
            }
        } else if direct.placed() && !self.leaving {
            // Drawn underneath in this pass; gone in the next.
            self.leaving = true;
            ctx.request_repaint();
        } else if direct.place(None, size).stopped || self.leaving {
            self.leaving = false;
            // Changes it showed alone after this pass's upload.
            ctx.request_repaint();
        }
        false
    }

    /// The technician's own cursor takes the remote shape while they
    /// drive with the pointer over the picture: no round trip to wait
    /// for, and the same in both presentations.
    pub fn follow_cursor(&self, ctx: &egui::Context) {
        if let Some(image) = self.own_cursor() {
            ctx.set_cursor_image(Some(image.clone()));
        }
    }

    /// The remote shape as the technician's cursor, when it should be.
    fn own_cursor(&self) -> Option<&egui::CustomCursorImage> {
        let (_, Some(image)) = self.cursor.as_ref()? else {
            return None;
        };
        let over = self.pointer.is_some_and(|p| self.visible.contains(p));
        image.own.as_ref().filter(|_| self.control && over)
    }

    /// Takes the keyboard and mouse events meant for the remote machine
    /// out of `raw` (so the window's own widgets never see them) and
    /// returns them as input for the agent. `control`: whether control is
    /// granted (without it nothing is captured); `typing_here`: a text
    /// field of the window has the keyboard (the chat box), so keys stay
    /// here whatever the pointer is over.
    pub fn take_input(
        &mut self,
        ctx: &egui::Context,
        raw: &mut egui::RawInput,
        control: bool,
        typing_here: bool,
        grabbed: bool,
    ) -> Vec<InputEvent> {
        let mut out = Vec::new();
        self.control = control;
        // A keyboard grab reads as a focus loss to the toolkit; the window
        // still has the technician's hands.
        let focused = raw.focused || grabbed;
        let mut kept = Vec::with_capacity(raw.events.len());
        for event in raw.events.drain(..) {
            let over = self.pointer.is_some_and(|p| self.over_picture(ctx, p));
            let capturing = control && focused && over;
            let keyboard = capturing && !typing_here && !self.held.keyboard_released();
            match &event {
                egui::Event::PointerMoved(pos) => {
                    self.pointer = Some(*pos);
                    let here = control && focused && self.over_picture(ctx, *pos);
                    if let Some(at) = self.to_remote(*pos).filter(|_| here) {
                        if self.last_move != Some(at) {
                            self.last_move = Some(at);
                            out.push(InputEvent::Move { x: at.0, y: at.1 });
                        }
                    }
                }
                egui::Event::PointerGone => self.pointer = None,
                egui::Event::PointerButton {
                    pos,
                    button,
                    pressed,
                    ..
                } => {
                    self.pointer = Some(*pos);
                    let over = control && focused && self.over_picture(ctx, *pos);
                    if *pressed && over {
                        // A click into the picture takes the keyboard there.
                        self.held.recapture();
                        ctx.memory_mut(|m| m.stop_text_input());
                    }
                    let sent = self.held.button(remote_button(*button), *pressed, over);
                    if !sent.is_empty() {
                        out.extend(sent);
                        continue; // the remote machine's click, not the window's
                    }
                }
                egui::Event::MouseWheel { unit, delta, .. } if capturing => {
                    if let Some((dx, dy)) = self.wheel.scroll(wheel_unit(*unit), (delta.x, delta.y))
                    {
                        out.push(InputEvent::Scroll { dx, dy });
                    }
                    continue; // not for the window's scroll area
                }
                egui::Event::Key {
                    physical_key: Some(key),
                    pressed,
                    repeat,
                    modifiers,
                    ..
                } => {
                    if let Some(remote) = remote_key(*key) {
                        let sent = self.held.key(remote, *pressed, *repeat, None, keyboard);
                        if !sent.is_empty() || keyboard {
                            out.extend(sent);
                            continue; // the remote machine's key, not the window's
                        }
                    }
                    // The window's own copy and paste (egui's shortcuts are
                    // off so that the remote machine gets Ctrl+C and Ctrl+V).
                    if *pressed && modifiers.command && typing_here {
                        match key {
                            egui::Key::C => kept.push(egui::Event::Copy),
                            egui::Key::X => kept.push(egui::Event::Cut),
                            egui::Key::V => {
                                ctx.send_viewport_cmd(egui::ViewportCommand::RequestPaste)
                            }
                            _ => {}
                        }
                    }
                }
                egui::Event::Text(_)
                | egui::Event::Copy
                | egui::Event::Cut
                | egui::Event::Paste(_)
                    if keyboard =>
                {
                    continue; // the physical keys already type it there
                }
                egui::Event::WindowFocused(false) if !grabbed => {
                    out.extend(self.held.release_all())
                }
                _ => {}
            }
            kept.push(event);
        }
        raw.events = kept;
        out
    }

    /// Whether `pos` is on the part of the picture that shows, with no
    /// window of ours (a menu, the Ask for more dialog) over it.
    fn over_picture(&self, ctx: &egui::Context, pos: egui::Pos2) -> bool {
        self.visible.contains(pos)
            && self.to_remote(pos).is_some()
            && ctx
                .layer_id_at(pos)
                .is_none_or(|layer| layer.order == egui::Order::Background)
    }

    /// A key read by the keyboard grab: sent while control is granted and
    /// the keyboard is not released, whatever the pointer is over (the
    /// grab is the technician's explicit choice).
    pub fn grabbed_key(
        &mut self,
        key: tessera_input::Key,
        down: bool,
        control: bool,
    ) -> Vec<InputEvent> {
        let capturing = control && !self.held.keyboard_released();
        self.held.key(key, down, false, None, capturing)
    }

    /// Lets go of everything held (the session is ending, or control was
    /// taken back).
    pub fn release_all(&mut self) -> Vec<InputEvent> {
        self.held.release_all()
    }

    fn to_remote(&self, pos: egui::Pos2) -> Option<(u32, u32)> {
        self.mapping.as_ref()?.to_remote((pos.x, pos.y))
    }
}

/// Whether a window of ours (a menu, a dialog, a tooltip) lies over
/// `area`: the picture is then drawn by egui, under it.
fn covered(ctx: &egui::Context, area: egui::Rect) -> bool {
    ctx.memory(|m| {
        m.areas().visible_layer_ids().into_iter().any(|layer| {
            layer.order != egui::Order::Background
                && m.area_rect(layer.id).is_some_and(|r| r.intersects(area))
        })
    })
}

/// A cursor shape (premultiplied RGBA, as X11 gives it) as a texture and
/// as an image for the technician's own cursor (straight alpha).
fn cursor_image(ctx: &egui::Context, shape: &CursorShape) -> Option<CursorImage> {
    shape.validate().ok()?;
    let size = [shape.width as usize, shape.height as usize];
    let image = egui::ColorImage::from_rgba_premultiplied(size, &shape.rgba);
    let texture = ctx.load_texture("remote-cursor", image, egui::TextureOptions::NEAREST);
    let straight: Vec<u8> = shape
        .rgba
        .chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            let c = |v: u8| match a {
                0 => 0,
                a => (u16::from(v) * 255 / a).min(255) as u8,
            };
            [c(p[0]), c(p[1]), c(p[2]), p[3]]
        })
        .collect();
    let own = match (u16::try_from(shape.width), u16::try_from(shape.height)) {
        (Ok(w), Ok(h)) => Some(egui::CustomCursorImage {
            rgba: straight.into(),
            size: [w, h],
            // Inside the image (validated), so within u16 too.
            hotspot: [shape.hot_x as u16, shape.hot_y as u16],
        }),
        _ => None,
    };
    Some(CursorImage {
        texture,
        hot: [shape.hot_x, shape.hot_y],
        own,
    })
}
