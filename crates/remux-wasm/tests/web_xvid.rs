//! Xvid decoding in the browser (headless Chromium): every frame of a 720×400 25 fps Xvid AVI
//! (made by ffmpeg at build time, see build.rs) decoded by the wasm module, and the speed
//! printed beside real time (docs/DESIGN.md, "Xvid").
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver \
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test -p remux-wasm --target wasm32-unknown-unknown --test web_xvid
//! ```
#![cfg(target_arch = "wasm32")]

use remux_wasm::demux::avi::AviDemuxer;
use remux_wasm::demux::Demuxer;
use remux_wasm::io::{ByteSource, SparseCache};
use remux_wasm::transcode::mpeg4_video::Mpeg4VideoDecoder;
use remux_wasm::TrackKind;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// 4 s, 720x400, 25 fps, Xvid with two B-frames, a key frame at least every second, + MP3.
static XVID: &[u8] = include_bytes!(env!("RIPTIDE_TEST_XVID"));

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

#[wasm_bindgen_test]
fn xvid_decodes_every_frame_in_the_browser() {
    assert!(
        !XVID.is_empty(),
        "test media is empty: install ffmpeg (build.rs generates it) and rebuild"
    );
    let mut cache = SparseCache::from_bytes(XVID.to_vec());
    let src: &mut dyn ByteSource = &mut cache;
    let mut demuxer = AviDemuxer::open(src).unwrap();
    let track = demuxer
        .tracks()
        .iter()
        .find(|t| t.kind == TrackKind::Video)
        .unwrap()
        .clone();
    let mut packets = Vec::new();
    while let Some(p) = demuxer.next_packet(src).unwrap() {
        if p.track_id == track.id {
            packets.push(p);
        }
    }
    let started = now_ms();
    let mut decoder = Mpeg4VideoDecoder::new(&track.codec_private).unwrap();
    let mut frames = Vec::new();
    for p in &packets {
        frames.extend(decoder.decode(&p.data, p.pts).unwrap());
    }
    frames.extend(decoder.flush());
    let ms = now_ms() - started;
    assert_eq!(frames.len(), 100, "4 s at 25 fps");
    assert_eq!((frames[0].width, frames[0].height), (720, 400));
    assert_eq!(
        frames.iter().filter(|f| f.key).count(),
        packets.iter().filter(|p| p.keyframe).count(),
        "a key frame where the AVI has one"
    );
    assert!(frames.windows(2).all(|w| w[1].pts > w[0].pts), "display order");
    console_log!(
        "xvid 720x400: {} frames decoded in {ms:.0} ms = {:.1} frames/s ({:.2}x real time)",
        frames.len(),
        frames.len() as f64 * 1000.0 / ms,
        frames.len() as f64 / 25.0 * 1000.0 / ms
    );
}
