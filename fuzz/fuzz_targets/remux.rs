//! The whole remux (probe → demuxer → timeline → fMP4 fragmenter) over arbitrary bytes, until
//! `Step::End` or a typed error, in a bounded number of steps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remux_wasm::io::SparseCache;
use remux_wasm::pipeline::{Pipeline, Step};

fuzz_target!(|data: &[u8]| {
    // A step emits at least one packet's fragment or ends; see demux_mkv for the packet bound.
    let limit = 1_000 + 256 * data.len();
    let mut src = SparseCache::from_bytes(data.to_vec());
    let mut pipeline = match Pipeline::open(&mut src) {
        Ok(p) => p,
        Err(e) => {
            assert!(!e.is_need_data(), "NeedData on a complete source: {e:?}");
            return;
        }
    };
    let _ = pipeline.tracks();
    let _ = pipeline.duration();
    let _ = pipeline.remuxer().mime();
    for _ in 0..limit {
        match pipeline.step(&mut src) {
            Ok(Step::Init(_)) | Ok(Step::Segment(_)) => {}
            Ok(Step::Frames(_)) => unreachable!("only a pipeline told to encode video gives frames"),
            Ok(Step::End) => return,
            Err(e) => {
                assert!(!e.is_need_data(), "NeedData on a complete source: {e:?}");
                return;
            }
        }
    }
    panic!("pipeline took more than {limit} steps without ending");
});
