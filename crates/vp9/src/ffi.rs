//! The only place libvpx's C API is called. Every `unsafe` block here
//! relies on the invariants below; nothing outside this module touches a
//! raw pointer.
//!
//! Invariants:
//! 1. A context (`vpx_codec_ctx_t`) and the configuration it was created
//!    with live in boxes owned by the wrapper: libvpx keeps a pointer to
//!    the configuration (`ctx->config`), so neither may move or be freed
//!    before `vpx_codec_destroy`, which `Drop` calls exactly once, and only
//!    on a context whose init succeeded.
//! 2. A context is used through `&mut self` only: libvpx contexts are not
//!    thread-safe, but nothing ties one to a thread, hence `Send`.
//! 3. An image handed to the encoder points into an [`I420`] whose planes
//!    were checked to be whole for its size, borrowed for the call only;
//!    libvpx reads it during `vpx_codec_encode` and keeps no pointer
//!    (no lag frames: `g_lag_in_frames = 0`).
//! 4. Packets and pictures libvpx returns are valid until the next call on
//!    the context; they are copied out before any other call, reading at
//!    most the sizes libvpx states, and a picture's size is checked
//!    against the decoder's bounds before it is read.
//! 5. libvpx 1.12 corrupts memory when an encoder grows past the size it
//!    was created with: the encoder is created at its largest size and
//!    refuses any frame larger than that.
#![allow(unsafe_code)]

use crate::frame::I420;
use crate::{EncoderSettings, Packet, Vp9Error};
use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::raw::{c_int, c_uint, c_ulong};
use vpx_sys as sys;

/// Largest compressed packet the decoder accepts.
pub const MAX_PACKET: usize = 8 * 1024 * 1024;

/// The largest keyframe, as a percentage of an average picture's bits at
/// the rate aimed at (libvpx's `rc_max_intra_bitrate_pct`).
const MAX_KEYFRAME_PCT: c_int = 300;

fn error_text(ctx: &mut sys::vpx_codec_ctx_t, err: sys::vpx_codec_err_t) -> String {
    // SAFETY: both functions return pointers to static or context-owned
    // NUL-terminated strings (or null), read at once (invariant 4).
    unsafe {
        let detail = sys::vpx_codec_error_detail(ctx);
        let text = sys::vpx_codec_err_to_string(err);
        let read = |p: *const std::os::raw::c_char| {
            (!p.is_null()).then(|| CStr::from_ptr(p).to_string_lossy().into_owned())
        };
        match (read(text), read(detail)) {
            (Some(t), Some(d)) => format!("{t}: {d}"),
            (Some(t), None) => t,
            (None, _) => format!("libvpx error {}", err as i32),
        }
    }
}

/// A VP9 encoder, real-time, tuned for screen content.
pub struct Encoder {
    ctx: Box<sys::vpx_codec_ctx_t>,
    cfg: Box<sys::vpx_codec_enc_cfg_t>,
    max: (u32, u32),
}

// SAFETY: invariant 2.
unsafe impl Send for Encoder {}

impl Encoder {
    /// An encoder for frames up to `settings.max_width` x `max_height`.
    pub fn new(settings: &EncoderSettings) -> Result<Self, Vp9Error> {
        let (w, h) = (settings.max_width, settings.max_height);
        if w == 0 || h == 0 || w > crate::MAX_SIDE || h > crate::MAX_SIDE {
            return Err(Vp9Error::Size {
                width: w,
                height: h,
            });
        }
        // SAFETY: the configuration is plain data, filled in by libvpx's
        // defaults for VP9 before any field is read.
        let mut cfg: Box<sys::vpx_codec_enc_cfg_t> =
            Box::new(unsafe { MaybeUninit::zeroed().assume_init() });
        let err =
            unsafe { sys::vpx_codec_enc_config_default(sys::vpx_codec_vp9_cx(), &mut *cfg, 0) };
        if err != sys::VPX_CODEC_OK {
            return Err(Vp9Error::Init(format!("no VP9 defaults ({})", err as i32)));
        }
        cfg.g_w = w;
        cfg.g_h = h;
        cfg.g_threads = settings.threads.max(1);
        cfg.g_timebase = sys::vpx_rational { num: 1, den: 1000 }; // pts in ms
        cfg.g_lag_in_frames = 0;
        cfg.g_error_resilient = 0;
        cfg.rc_end_usage = sys::vpx_rc_mode::VPX_CBR;
        cfg.rc_target_bitrate = settings.bitrate_kbps.max(50);
        cfg.rc_min_quantizer = 4;
        cfg.rc_max_quantizer = 56;
        cfg.rc_undershoot_pct = 50;
        cfg.rc_overshoot_pct = 50;
        cfg.rc_buf_initial_sz = 500;
        cfg.rc_buf_optimal_sz = 600;
        cfg.rc_buf_sz = 1000;
        cfg.rc_dropframe_thresh = 0;
        cfg.kf_mode = sys::vpx_kf_mode::VPX_KF_AUTO;
        cfg.kf_max_dist = 10_000; // keyframes when asked, not by the clock
                                  // SAFETY: a zeroed context is what vpx_codec_enc_init_ver expects
                                  // to fill; ctx and cfg are boxed and outlive it (invariant 1).
        let mut ctx: Box<sys::vpx_codec_ctx_t> =
            Box::new(unsafe { MaybeUninit::zeroed().assume_init() });
        let err = unsafe {
            sys::vpx_codec_enc_init_ver(
                &mut *ctx,
                sys::vpx_codec_vp9_cx(),
                &*cfg,
                0,
                sys::VPX_ENCODER_ABI_VERSION as c_int,
            )
        };
        if err != sys::VPX_CODEC_OK {
            return Err(Vp9Error::Init(error_text(&mut ctx, err)));
        }
        let mut encoder = Encoder {
            ctx,
            cfg,
            max: (w, h),
        };
        let tiles = (settings.threads.max(1) as f64).log2().floor() as c_int;
        for (id, value) in [
            (
                sys::vp8e_enc_control_id::VP8E_SET_CPUUSED as c_int,
                settings.speed as c_int,
            ),
            (sys::vp8e_enc_control_id::VP9E_SET_ROW_MT as c_int, 1),
            (
                sys::vp8e_enc_control_id::VP9E_SET_TILE_COLUMNS as c_int,
                tiles,
            ),
            (
                sys::vp8e_enc_control_id::VP9E_SET_TUNE_CONTENT as c_int,
                sys::vp9e_tune_content::VP9E_CONTENT_SCREEN as c_int,
            ),
            (sys::vp8e_enc_control_id::VP9E_SET_AQ_MODE as c_int, 3),
            (
                sys::vp8e_enc_control_id::VP9E_SET_NOISE_SENSITIVITY as c_int,
                0,
            ),
            // A keyframe at most three average pictures' worth of bits,
            // so a region's first picture does not flood a slow link.
            (
                sys::vp8e_enc_control_id::VP8E_SET_MAX_INTRA_BITRATE_PCT as c_int,
                MAX_KEYFRAME_PCT,
            ),
        ] {
            encoder.control(id, value)?;
        }
        Ok(encoder)
    }

    fn control(&mut self, id: c_int, value: c_int) -> Result<(), Vp9Error> {
        // SAFETY: every control set here takes one int argument; the
        // context is initialised (invariant 1).
        let err = unsafe { sys::vpx_codec_control_(&mut *self.ctx, id, value) };
        if err != sys::VPX_CODEC_OK {
            return Err(Vp9Error::Config(error_text(&mut self.ctx, err)));
        }
        Ok(())
    }

    /// libvpx's real-time speed from now on, 5 to 9 (higher: faster, a
    /// little worse); for a large region, 9 keeps the frame rate.
    pub fn set_speed(&mut self, speed: u32) -> Result<(), Vp9Error> {
        self.control(
            sys::vp8e_enc_control_id::VP8E_SET_CPUUSED as c_int,
            speed.clamp(5, 9) as c_int,
        )
    }

    /// The bitrate aimed at from now on, in kbit/s.
    pub fn set_bitrate(&mut self, kbps: u32) -> Result<(), Vp9Error> {
        self.cfg.rc_target_bitrate = kbps.max(50);
        self.apply_config()
    }

    fn apply_config(&mut self) -> Result<(), Vp9Error> {
        // SAFETY: cfg is the boxed configuration the context points to
        // (invariant 1), changed in place.
        let err = unsafe { sys::vpx_codec_enc_config_set(&mut *self.ctx, &*self.cfg) };
        if err != sys::VPX_CODEC_OK {
            return Err(Vp9Error::Config(error_text(&mut self.ctx, err)));
        }
        Ok(())
    }

    /// Encodes `frame` shown at `pts_ms`; a keyframe if `key`. Returns the
    /// packets produced (one, in real-time mode, unless the frame is
    /// dropped). A frame may be smaller than the encoder's size, never
    /// larger (invariant 5).
    pub fn encode(
        &mut self,
        frame: &I420,
        pts_ms: i64,
        key: bool,
    ) -> Result<Vec<Packet>, Vp9Error> {
        let (w, h) = (frame.width, frame.height);
        if w == 0 || h == 0 || w > self.max.0 || h > self.max.1 {
            return Err(Vp9Error::Size {
                width: w,
                height: h,
            });
        }
        if !frame.is_whole() {
            return Err(Vp9Error::Encode(
                "a picture whose planes do not fill it".into(),
            ));
        }
        if (self.cfg.g_w, self.cfg.g_h) != (w, h) {
            self.cfg.g_w = w;
            self.cfg.g_h = h;
            self.apply_config()?;
        }
        // SAFETY: vpx_img_wrap only fills the image's fields from the
        // format and size; the planes and strides are then pointed at the
        // frame's own vectors, whole for its size (invariant 3), read by
        // vpx_codec_encode only during the call.
        let mut img: sys::vpx_image_t = unsafe { MaybeUninit::zeroed().assume_init() };
        let (cw, _) = frame.chroma_size();
        let wrapped = unsafe {
            sys::vpx_img_wrap(
                &mut img,
                sys::vpx_img_fmt::VPX_IMG_FMT_I420,
                w,
                h,
                1,
                frame.y.as_ptr() as *mut u8,
            )
        };
        if wrapped.is_null() {
            return Err(Vp9Error::Encode(
                "libvpx refused the picture's format".into(),
            ));
        }
        img.planes[0] = frame.y.as_ptr() as *mut u8;
        img.planes[1] = frame.u.as_ptr() as *mut u8;
        img.planes[2] = frame.v.as_ptr() as *mut u8;
        img.stride[0] = w as c_int;
        img.stride[1] = cw as c_int;
        img.stride[2] = cw as c_int;
        let flags = if key { sys::VPX_EFLAG_FORCE_KF as _ } else { 0 };
        let err = unsafe {
            sys::vpx_codec_encode(
                &mut *self.ctx,
                &img,
                pts_ms,
                1,
                flags,
                sys::VPX_DL_REALTIME as c_ulong,
            )
        };
        if err != sys::VPX_CODEC_OK {
            return Err(Vp9Error::Encode(error_text(&mut self.ctx, err)));
        }
        let mut packets = Vec::new();
        let mut iter: sys::vpx_codec_iter_t = std::ptr::null();
        loop {
            // SAFETY: the packet is valid until the next call on the
            // context; its frame's bytes are copied out at once, `sz` of
            // them from `buf` (invariant 4).
            let pkt = unsafe { sys::vpx_codec_get_cx_data(&mut *self.ctx, &mut iter) };
            if pkt.is_null() {
                break;
            }
            unsafe {
                if (*pkt).kind != sys::vpx_codec_cx_pkt_kind::VPX_CODEC_CX_FRAME_PKT {
                    continue;
                }
                let f = (*pkt).data.frame;
                if f.buf.is_null() || f.sz == 0 {
                    continue;
                }
                let data = std::slice::from_raw_parts(f.buf as *const u8, f.sz as usize).to_vec();
                packets.push(Packet {
                    data,
                    key: f.flags & sys::VPX_FRAME_IS_KEY != 0,
                });
            }
        }
        Ok(packets)
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: the context was initialised (new returns no encoder
        // otherwise) and is destroyed once (invariant 1).
        unsafe {
            sys::vpx_codec_destroy(&mut *self.ctx);
        }
    }
}

/// A VP9 decoder that refuses streams larger than its bounds.
pub struct Decoder {
    ctx: Box<sys::vpx_codec_ctx_t>,
    _cfg: Box<sys::vpx_codec_dec_cfg_t>,
    max: (u32, u32),
}

// SAFETY: invariant 2.
unsafe impl Send for Decoder {}

impl Decoder {
    /// A decoder using `threads`, for pictures up to `max_width` x
    /// `max_height`.
    pub fn new(threads: u32, max_width: u32, max_height: u32) -> Result<Self, Vp9Error> {
        let cfg = Box::new(sys::vpx_codec_dec_cfg_t {
            threads: threads.max(1),
            w: 0,
            h: 0,
        });
        // SAFETY: as for the encoder (invariant 1).
        let mut ctx: Box<sys::vpx_codec_ctx_t> =
            Box::new(unsafe { MaybeUninit::zeroed().assume_init() });
        let err = unsafe {
            sys::vpx_codec_dec_init_ver(
                &mut *ctx,
                sys::vpx_codec_vp9_dx(),
                &*cfg,
                0,
                sys::VPX_DECODER_ABI_VERSION as c_int,
            )
        };
        if err != sys::VPX_CODEC_OK {
            return Err(Vp9Error::Init(error_text(&mut ctx, err)));
        }
        Ok(Decoder {
            ctx,
            _cfg: cfg,
            max: (
                max_width.min(crate::MAX_SIDE),
                max_height.min(crate::MAX_SIDE),
            ),
        })
    }

    /// Decodes one packet; the picture it completes, if any. A packet
    /// over [`MAX_PACKET`], a keyframe larger than the bounds (checked
    /// before libvpx allocates for it), or a stream libvpx cannot read is
    /// an error; the decoder can go on with the next keyframe.
    pub fn decode(&mut self, data: &[u8]) -> Result<Option<I420>, Vp9Error> {
        if data.is_empty() || data.len() > MAX_PACKET {
            return Err(Vp9Error::Decode(format!(
                "a packet of {} bytes",
                data.len()
            )));
        }
        // SAFETY: peek reads at most `data.len()` bytes of `data` and
        // writes the plain struct `si`, whose `sz` says how large it is.
        let mut si = sys::vpx_codec_stream_info_t {
            sz: std::mem::size_of::<sys::vpx_codec_stream_info_t>() as c_uint,
            w: 0,
            h: 0,
            is_kf: 0,
        };
        let peeked = unsafe {
            sys::vpx_codec_peek_stream_info(
                sys::vpx_codec_vp9_dx(),
                data.as_ptr(),
                data.len() as c_uint,
                &mut si,
            )
        };
        if peeked == sys::VPX_CODEC_OK && si.is_kf != 0 && (si.w > self.max.0 || si.h > self.max.1)
        {
            return Err(Vp9Error::Size {
                width: si.w,
                height: si.h,
            });
        }
        // SAFETY: libvpx reads `data.len()` bytes of `data` during the call.
        let err = unsafe {
            sys::vpx_codec_decode(
                &mut *self.ctx,
                data.as_ptr(),
                data.len() as c_uint,
                std::ptr::null_mut(),
                0,
            )
        };
        if err != sys::VPX_CODEC_OK {
            return Err(Vp9Error::Decode(error_text(&mut self.ctx, err)));
        }
        let mut picture = None;
        let mut iter: sys::vpx_codec_iter_t = std::ptr::null();
        loop {
            // SAFETY: the image is valid until the next call on the
            // context; its format and size are checked, then at most
            // `stride * rows` bytes of each plane are read (invariant 4).
            let img = unsafe { sys::vpx_codec_get_frame(&mut *self.ctx, &mut iter) };
            if img.is_null() {
                break;
            }
            picture = Some(unsafe { self.copy_out(&*img)? });
        }
        Ok(picture)
    }

    /// # Safety
    /// `img` is a picture libvpx just returned, not yet invalidated.
    unsafe fn copy_out(&self, img: &sys::vpx_image_t) -> Result<I420, Vp9Error> {
        let (w, h) = (img.d_w, img.d_h);
        if w == 0 || h == 0 || w > self.max.0 || h > self.max.1 {
            return Err(Vp9Error::Size {
                width: w,
                height: h,
            });
        }
        if img.fmt != sys::vpx_img_fmt::VPX_IMG_FMT_I420 || img.bit_depth != 8 {
            return Err(Vp9Error::Decode("a stream not in 8-bit 4:2:0".into()));
        }
        let mut out = I420::black(w, h);
        let (cw, ch) = out.chroma_size();
        let planes = [(0, w as usize, h as usize), (1, cw, ch), (2, cw, ch)];
        for (plane, width, rows) in planes {
            let stride = img.stride[plane];
            let base = img.planes[plane];
            if base.is_null() || stride < width as c_int {
                return Err(Vp9Error::Decode("a picture with a short plane".into()));
            }
            let dst = match plane {
                0 => &mut out.y,
                1 => &mut out.u,
                _ => &mut out.v,
            };
            for row in 0..rows {
                let src = std::slice::from_raw_parts(base.add(row * stride as usize), width);
                dst[row * width..(row + 1) * width].copy_from_slice(src);
            }
        }
        Ok(out)
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: as for the encoder (invariant 1).
        unsafe {
            sys::vpx_codec_destroy(&mut *self.ctx);
        }
    }
}
