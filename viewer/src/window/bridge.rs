//! Between the session loop (a tokio task) and the window (the main
//! thread). Requests go to the loop on a channel; what the loop reports
//! comes back on another, each followed by a repaint request so the
//! window wakes at once and at no other time. The picture does not queue:
//! the loop writes it into one shared buffer and marks the areas changed,
//! so a slow window skips to the newest picture instead of falling behind.

use super::direct::DirectPicture;
use crate::front::{Front, Request};
use eframe::egui;
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};
use tessera_proto::EndReason;
use tessera_screen::{CursorShape, Frame, Pointer, Rect};
use tessera_session::{render, SessionEvent};
use tokio::sync::mpsc as async_mpsc;

/// More changed areas than this waiting for the window are merged into
/// their bounding box (one upload instead of many small ones).
const MAX_PENDING_AREAS: usize = 64;

/// How stale the status line's figures may get while pictures come.
const STATS_EVERY: Duration = Duration::from_secs(1);

/// What the session loop tells the window.
#[derive(Debug)]
pub enum Report {
    /// Something happened in the session.
    Event(SessionEvent),
    /// A snapshot was written.
    Snapshot(PathBuf),
    /// A request could not be carried out; the session goes on.
    Error(String),
    /// The end-to-end round-trip time.
    RoundTrip(Duration),
    /// The session is over (how), or never started (why, in words).
    Finished(Result<EndReason, String>),
}

/// The remote picture as RGBA, and what changed since the window last
/// looked.
#[derive(Default)]
pub struct Picture {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
    changed: Vec<Rect>,
    resized: bool,
    cursor: Option<(Pointer, Option<CursorShape>)>,
    cursor_changed: bool,
    /// Puts the picture straight onto the X server, when it can.
    direct: Option<Arc<DirectPicture>>,
}

/// What the window takes to bring its texture up to date.
pub struct PictureChanges {
    /// The picture's size.
    pub size: [usize; 2],
    /// The whole picture must be uploaded again (a new size).
    pub resized: bool,
    /// Each changed area with its RGBA pixels.
    pub areas: Vec<(Rect, Vec<u8>)>,
}

impl Picture {
    /// Copies the changed areas of `frame` (BGRX) in, swizzled to RGBA.
    fn update(&mut self, frame: &Frame, changed: &[Rect]) {
        let (width, height) = (frame.width(), frame.height());
        let whole = Rect {
            x: 0,
            y: 0,
            w: width,
            h: height,
        };
        let changed = if (width, height) != (self.width, self.height) {
            self.width = width;
            self.height = height;
            self.rgba = vec![0; width as usize * height as usize * 4];
            self.resized = true;
            self.changed.clear();
            std::slice::from_ref(&whole)
        } else {
            changed
        };
        let stride = frame.stride();
        for area in changed.iter().filter(|a| a.fits(width, height)) {
            for row in area.y..area.y + area.h {
                let start = row as usize * stride + area.x as usize * 4;
                let len = area.w as usize * 4;
                let (Some(src), Some(dst)) = (
                    frame.pixels().get(start..start + len),
                    self.rgba.get_mut(start..start + len),
                ) else {
                    continue;
                };
                for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
                    d.copy_from_slice(&[s[2], s[1], s[0], 255]);
                }
            }
            self.changed.push(*area);
        }
        if self.changed.len() > MAX_PENDING_AREAS {
            if let Some(all) = Rect::bounding(&self.changed) {
                self.changed = vec![all];
            }
        }
    }

    /// The areas changed since the last call, with their pixels; after a
    /// new size, one area: the whole picture.
    pub fn take_changes(&mut self) -> Option<PictureChanges> {
        if self.changed.is_empty() {
            return None;
        }
        if self.resized {
            self.changed = vec![Rect {
                x: 0,
                y: 0,
                w: self.width,
                h: self.height,
            }];
        }
        let stride = self.width as usize * 4;
        let areas = self
            .changed
            .drain(..)
            .map(|a| {
                let mut pixels = Vec::with_capacity(a.w as usize * a.h as usize * 4);
                for row in a.y..a.y + a.h {
                    let start = row as usize * stride + a.x as usize * 4;
                    pixels.extend_from_slice(&self.rgba[start..start + a.w as usize * 4]);
                }
                (a, pixels)
            })
            .collect();
        Some(PictureChanges {
            size: [self.width as usize, self.height as usize],
            resized: std::mem::take(&mut self.resized),
            areas,
        })
    }

    /// The remote cursor, when it changed since the last call.
    pub fn take_cursor(&mut self) -> Option<(Pointer, Option<CursorShape>)> {
        if !std::mem::take(&mut self.cursor_changed) {
            return None;
        }
        self.cursor.as_mut().map(|(p, s)| (*p, s.take()))
    }

    /// Asks for the whole picture again, as after a new size (the
    /// window lost its texture).
    pub fn invalidate(&mut self) {
        if self.width > 0 && self.height > 0 {
            self.resized = true;
            self.touch();
        }
    }

    /// Marks one pixel changed, so the next upload carries the texture's
    /// new filter (it is set with each upload).
    pub fn touch(&mut self) {
        if self.width > 0 && self.height > 0 {
            self.changed.push(Rect {
                x: 0,
                y: 0,
                w: 1,
                h: 1,
            });
        }
    }

    /// From now on, pictures and the cursor also go to `direct`, which
    /// shows them itself while it is placed (`None`: they no longer do).
    pub fn set_direct(&mut self, direct: Option<Arc<DirectPicture>>) {
        self.direct = direct;
    }

    /// Forgets the picture (a new session starts).
    pub fn clear(&mut self) {
        *self = Picture::default();
    }
}

/// The picture, shared between the loop and the window.
pub type SharedPicture = Arc<Mutex<Picture>>;

/// Locks the picture; a panic elsewhere cannot leave it half-written in
/// a way that matters (the next keyframe repaints it all).
pub fn lock(picture: &SharedPicture) -> std::sync::MutexGuard<'_, Picture> {
    picture.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The session loop's side: a [`Front`] that feeds the window.
pub struct WindowFront {
    requests: async_mpsc::UnboundedReceiver<Request>,
    reports: mpsc::Sender<Report>,
    picture: SharedPicture,
    ctx: egui::Context,
    /// Also print each event as a JSON line on stdout (for scripts and
    /// tests that watch a window session).
    events_json: bool,
}

impl WindowFront {
    /// A front reporting to the window behind `ctx`.
    pub fn new(
        requests: async_mpsc::UnboundedReceiver<Request>,
        reports: mpsc::Sender<Report>,
        picture: SharedPicture,
        ctx: egui::Context,
        events_json: bool,
    ) -> Self {
        Self {
            requests,
            reports,
            picture,
            ctx,
            events_json,
        }
    }

    fn report(&self, report: Report) {
        let _ = self.reports.send(report);
        self.ctx.request_repaint();
    }
}

impl Front for WindowFront {
    async fn next(&mut self) -> Option<Request> {
        self.requests.recv().await
    }

    fn event(&mut self, event: &SessionEvent) {
        if self.events_json {
            println!("{}", render::json_line(event, SystemTime::now()));
        }
        match event {
            // One a picture: the figures they feed (pictures a second,
            // bandwidth) are shown at the next repaint, within a second.
            // A picture the window must draw asks for its own repaint; one
            // shown straight onto X11 needs none.
            SessionEvent::Frame { .. }
            | SessionEvent::VideoFrame { .. }
            | SessionEvent::Cursor { .. } => {
                let _ = self.reports.send(Report::Event(event.clone()));
                self.ctx.request_repaint_after(STATS_EVERY);
            }
            _ => self.report(Report::Event(event.clone())),
        }
    }

    fn snapshot_written(&mut self, path: &std::path::Path, _width: u32, _height: u32) {
        self.report(Report::Snapshot(path.to_path_buf()));
    }

    fn error(&mut self, message: &str) {
        self.report(Report::Error(message.to_string()));
    }

    fn picture(&mut self, frame: &Frame, changed: &[Rect]) {
        let direct = {
            let mut picture = lock(&self.picture);
            picture.update(frame, changed);
            picture.direct.clone()
        };
        // Shown straight away, the window need not repaint: its texture
        // takes the change whenever it next does. (Put with the picture
        // unlocked: the window's pass never waits on the X server.)
        let shown = direct.is_some_and(|d| d.put(frame, changed));
        if !shown {
            self.ctx.request_repaint();
        }
    }

    fn cursor(&mut self, pointer: Pointer, shape: Option<&CursorShape>) {
        let mut picture = lock(&self.picture);
        let kept = picture.cursor.take().and_then(|(_, s)| s);
        picture.cursor = Some((pointer, shape.cloned().or(kept)));
        picture.cursor_changed = true;
        let direct = picture.direct.clone();
        drop(picture);
        if !direct.is_some_and(|d| d.cursor(pointer, shape)) {
            self.ctx.request_repaint();
        }
    }

    fn round_trip(&mut self, rtt: Duration) {
        let _ = self.reports.send(Report::RoundTrip(rtt));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(width: u32, height: u32, bgrx: [u8; 4]) -> Frame {
        let mut f = Frame::new(width, height).expect("frame");
        let all = Rect {
            x: 0,
            y: 0,
            w: width,
            h: height,
        };
        f.fill_rect(&all, bgrx);
        f
    }

    #[test]
    fn only_changed_areas_travel_swizzled_to_rgba() {
        let mut p = Picture::default();
        p.update(&frame(8, 4, [1, 2, 3, 0]), &[]);
        let first = p.take_changes().expect("a new size is all changed");
        assert!(first.resized);
        assert_eq!(first.areas.len(), 1);
        assert_eq!(&first.areas[0].1[..4], &[3, 2, 1, 255]);
        assert!(p.take_changes().is_none(), "nothing changed since");

        let area = Rect {
            x: 2,
            y: 1,
            w: 3,
            h: 2,
        };
        p.update(&frame(8, 4, [9, 8, 7, 0]), &[area]);
        let next = p.take_changes().expect("changed");
        assert!(!next.resized);
        assert_eq!(next.areas.len(), 1);
        assert_eq!(next.areas[0].0, area);
        assert_eq!(next.areas[0].1, [7, 8, 9, 255].repeat(6));
    }

    #[test]
    fn many_small_changes_merge_and_off_picture_areas_are_ignored() {
        let mut p = Picture::default();
        let f = frame(640, 64, [0, 0, 0, 0]);
        p.update(&f, &[]);
        p.take_changes();
        let dots: Vec<Rect> = (0..100)
            .map(|i| Rect {
                x: i * 6,
                y: 0,
                w: 1,
                h: 1,
            })
            .collect();
        let outside = Rect {
            x: 600,
            y: 60,
            w: 100,
            h: 10,
        };
        p.update(&f, &[&dots[..], &[outside]].concat());
        let changes = p.take_changes().expect("changed");
        assert_eq!(changes.areas.len(), 1, "merged");
        assert_eq!(changes.areas[0].0.w, 595);
    }
}
