//! WebCodecs `VideoEncoder`: re-encodes the frames the wasm module decodes (Xvid, see
//! [`crate::transcode::mpeg4_video`]) into a codec both the encoder and MSE take, in the page's
//! own thread (encoding runs on the browser's threads; our side only copies each frame in).
//!
//! Reached through `js_sys::Reflect` rather than web-sys's bindings, which need
//! `--cfg=web_sys_unstable_apis` for the whole crate. The encoder answers asynchronously:
//! chunks gather in [`VideoEncoder::take_chunks`] as its `output` callback fires, and
//! [`VideoEncoder::queue_size`] tells the caller when to stop feeding.
//!
//! Every source key frame becomes an output key frame (`encode(frame, {keyFrame: true})`), so
//! seeking lands where it lands in the source.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::time::TimeBase;
use crate::transcode::mpeg4_video::I420Frame;
pub use crate::transcode::video::{EncodedChunk, NO_WEBCODECS};

#[derive(Default)]
struct Shared {
    chunks: Vec<EncodedChunk>,
    /// `decoderConfig.description` of the first output (the avcC for H.264).
    description: Option<Vec<u8>>,
    error: Option<String>,
    /// Chunks output so far (one per frame: the encoder drops none in this configuration).
    outputs: u64,
}

/// One configured `VideoEncoder`.
pub struct VideoEncoder {
    encoder: JsValue,
    frame_ctor: Function,
    shared: Rc<RefCell<Shared>>,
    /// The RFC 6381 string it encodes (the MSE type's codec).
    pub codec: String,
    /// Frames given to `encode` so far.
    submitted: Cell<u64>,
    /// The most frames given and not yet output at once (see [`Self::max_in_flight`]).
    max_in_flight: Cell<u64>,
    _output: Closure<dyn FnMut(JsValue, JsValue)>,
    _error: Closure<dyn FnMut(JsValue)>,
}

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(o: &Object, key: &str, v: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(key), &v.into());
}

fn text(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Whether this page can use `VideoEncoder` and `VideoFrame` (absent outside secure contexts).
pub fn webcodecs_available() -> bool {
    let g = js_sys::global();
    get(&g, "VideoEncoder").is_function() && get(&g, "VideoFrame").is_function()
}

/// H.264 Constrained Baseline (no B-frames: decode order is display order, so the fragmenter
/// needs no reorder) at the lowest level that holds `width` × `height` at 30 frames/s.
pub fn avc_codec(width: u32, height: u32) -> String {
    format!("avc1.42E0{:02X}", crate::transcode::video::avc_level(width, height))
}


impl VideoEncoder {
    /// Configures an encoder for `width` × `height` frames at `fps`, with the first codec
    /// that both the encoder and `MediaSource` accept. Errors in plain words ([`NO_WEBCODECS`]
    /// where WebCodecs is missing).
    pub async fn open(width: u32, height: u32, fps: f64) -> Result<VideoEncoder, String> {
        if !webcodecs_available() {
            return Err(NO_WEBCODECS.to_string());
        }
        let g = js_sys::global();
        let ctor: Function = get(&g, "VideoEncoder").unchecked_into();
        let frame_ctor: Function = get(&g, "VideoFrame").unchecked_into();
        let codec = avc_codec(width, height);
        let config = Object::new();
        set(&config, "codec", codec.as_str());
        set(&config, "width", width);
        set(&config, "height", height);
        set(&config, "framerate", fps);
        set(&config, "bitrate", crate::transcode::video::encoder_bitrate(width, height, fps));
        set(&config, "latencyMode", "realtime");
        let avc = Object::new();
        set(&avc, "format", "avc");
        set(&config, "avc", avc);
        let check: Function = get(&ctor, "isConfigSupported").unchecked_into();
        let support = check
            .call1(&ctor, &config)
            .map_err(text)?
            .dyn_into::<Promise>()
            .map_err(text)?;
        let support = JsFuture::from(support).await.map_err(text)?;
        let mse_takes =
            web_sys::MediaSource::is_type_supported(&format!("video/mp4; codecs=\"{codec}\""));
        if get(&support, "supported").as_bool() != Some(true) || !mse_takes {
            return Err(format!(
                "This browser cannot convert the film's MPEG-4 Part 2 (Xvid/DivX) video: its \
                 video encoder or player does not take H.264 ({codec}) at {width}×{height}."
            ));
        }

        let shared = Rc::new(RefCell::new(Shared::default()));
        let out = shared.clone();
        let output =
            Closure::<dyn FnMut(JsValue, JsValue)>::new(move |chunk: JsValue, meta: JsValue| {
                // Copied straight into the wasm memory: no JS buffer per chunk for the
                // garbage collector.
                let len = get(&chunk, "byteLength").as_f64().unwrap_or(0.0) as usize;
                let mut data = vec![0u8; len];
                if let Ok(copy) = get(&chunk, "copyTo").dyn_into::<Function>() {
                    // SAFETY: the view is used only by `copyTo`, which writes it at once,
                    // before anything can allocate in (and so move) the wasm memory.
                    let view = unsafe { Uint8Array::view_mut_raw(data.as_mut_ptr(), len) };
                    let _ = copy.call1(&chunk, &view);
                }
                let mut s = out.borrow_mut();
                s.outputs += 1;
                if s.description.is_none() {
                    let desc = get(&get(&meta, "decoderConfig"), "description");
                    if !desc.is_undefined() && !desc.is_null() {
                        s.description = Some(Uint8Array::new(&desc).to_vec());
                    }
                }
                s.chunks.push(EncodedChunk {
                    pts_us: get(&chunk, "timestamp").as_f64().unwrap_or(0.0) as i64,
                    key: get(&chunk, "type").as_string().as_deref() == Some("key"),
                    data,
                });
            });
        let err = shared.clone();
        let error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            err.borrow_mut().error = Some(text(e));
        });
        let init = Object::new();
        set(&init, "output", output.as_ref().clone());
        set(&init, "error", error.as_ref().clone());
        let encoder = Reflect::construct(&ctor, &Array::of1(&init)).map_err(text)?;
        let configure: Function = get(&encoder, "configure").unchecked_into();
        configure.call1(&encoder, &config).map_err(text)?;
        Ok(VideoEncoder {
            encoder,
            frame_ctor,
            shared,
            codec,
            submitted: Cell::new(0),
            max_in_flight: Cell::new(0),
            _output: output,
            _error: error,
        })
    }

    /// Queues one frame (`frame.pts` in `time_base`); a source key frame becomes an output
    /// key frame.
    pub fn encode(&self, frame: &I420Frame, time_base: TimeBase) -> Result<(), String> {
        self.failed()?;
        let init = Object::new();
        set(&init, "format", "I420");
        set(&init, "codedWidth", frame.width);
        set(&init, "codedHeight", frame.height);
        set(
            &init,
            "timestamp",
            time_base.rescale(frame.pts.0, TimeBase::new(1, 1_000_000)) as f64,
        );
        // The constructor copies the picture out of the wasm memory at once (into the frame
        // it hands the encoder): a view, not a JS copy. A copy would be a 432 KB ArrayBuffer
        // per 720×400 frame for the garbage collector, 16 MB/s at 1.5× speed, which V8 let
        // pile up to 40 MB between collections (benches/RESULTS.md, section 17).
        // SAFETY: the view lives only through the constructor call, which reads it
        // synchronously; nothing allocates in the wasm memory in between.
        let data = unsafe { Uint8Array::view(&frame.data) };
        let vf = Reflect::construct(&self.frame_ctor, &Array::of2(&data, &init));
        drop(data);
        let vf = vf.map_err(text)?;
        let options = Object::new();
        set(&options, "keyFrame", frame.key);
        let encode: Function = get(&self.encoder, "encode").unchecked_into();
        let result = encode.call2(&self.encoder, &vf, &options).map_err(text);
        self.submitted.set(self.submitted.get() + 1);
        let in_flight = self.submitted.get().saturating_sub(self.shared.borrow().outputs);
        self.max_in_flight.set(self.max_in_flight.get().max(in_flight));
        // The encoder holds its own reference; ours is released now, not at GC.
        if let Ok(close) = get(&vf, "close").dyn_into::<Function>() {
            let _ = close.call0(&vf);
        }
        result.map(|_| ())
    }

    /// Queues `frames` (times in `time_base`), waiting while more than `max_queued` frames
    /// are queued in the encoder: the back-pressure that keeps the decoder, and so the
    /// download, from running ahead of the encoder.
    pub async fn encode_all(
        &self,
        frames: &[I420Frame],
        time_base: TimeBase,
        max_queued: u32,
    ) -> Result<(), String> {
        for f in frames {
            while self.queue_size() > max_queued {
                crate::player::scheduler::sleep(1).await;
                self.failed()?;
            }
            self.encode(f, time_base)?;
        }
        Ok(())
    }

    /// Frames queued and not yet encoded: feed more only while this is small.
    pub fn queue_size(&self) -> u32 {
        get(&self.encoder, "encodeQueueSize")
            .as_f64()
            .unwrap_or(0.0) as u32
    }

    /// The most frames that were at once given to the encoder and not yet output as chunks:
    /// the frames the page holds between the decoder and the fragmenter (each a 4:2:0 picture
    /// in the browser's memory), so tests can check the back-pressure bounds them.
    pub fn max_in_flight(&self) -> u64 {
        self.max_in_flight.get()
    }

    /// Waits until every queued frame has come out.
    pub async fn flush(&self) -> Result<(), String> {
        let flush: Function = get(&self.encoder, "flush").unchecked_into();
        let p: Promise = flush.call0(&self.encoder).map_err(text)?.unchecked_into();
        JsFuture::from(p).await.map_err(text)?;
        self.failed()
    }

    /// The chunks that came out since the last call, in output order.
    pub fn take_chunks(&self) -> Vec<EncodedChunk> {
        std::mem::take(&mut self.shared.borrow_mut().chunks)
    }

    /// The codec configuration of the output (the avcC), once the first chunk is out.
    pub fn description(&self) -> Option<Vec<u8>> {
        self.shared.borrow().description.clone()
    }

    fn failed(&self) -> Result<(), String> {
        match &self.shared.borrow().error {
            Some(e) => Err(format!("The browser's video encoder stopped: {e}")),
            None => Ok(()),
        }
    }
}

impl Drop for VideoEncoder {
    fn drop(&mut self) {
        if get(&self.encoder, "state").as_string().as_deref() != Some("closed") {
            if let Ok(close) = get(&self.encoder, "close").dyn_into::<Function>() {
                let _ = close.call0(&self.encoder);
            }
        }
    }
}
