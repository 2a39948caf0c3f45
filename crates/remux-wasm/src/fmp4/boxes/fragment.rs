//! One media segment: `moof` (`mfhd`, a `traf` per track: `tfhd`, `tfdt`, `trun`) + `mdat`.

use super::{TrafData, NON_SYNC_SAMPLE_FLAGS, SYNC_SAMPLE_FLAGS};
use super::{close, open, open_full, u32_, u64_};
use crate::timeline::Sample;

/// One fragment: `moof` + `mdat`, appended to `o`. Inside a `traf`, sample durations are the
/// DTS differences of consecutive samples (the last keeps its own), so the decode times the
/// `trun` implies are exactly the samples' `dts`.
pub fn fragment(o: &mut Vec<u8>, sequence_number: u32, trafs: &[TrafData]) {
    let payload: usize = trafs
        .iter()
        .flat_map(|t| t.samples)
        .map(|s| s.data.len())
        .sum();
    let samples: usize = trafs.iter().map(|t| t.samples.len()).sum();
    o.reserve(payload + samples * 16 + 200);
    let moof_at = open(o, b"moof");
    mfhd(o, sequence_number);
    let mut offset_fields = Vec::with_capacity(trafs.len());
    for t in trafs {
        offset_fields.push(traf(o, t));
    }
    close(o, moof_at);
    // trun data_offset is relative to the start of the moof (default-base-is-moof).
    let mut data_offset = o.len() - moof_at + 8;
    for (t, field) in trafs.iter().zip(offset_fields) {
        o[field..field + 4].copy_from_slice(&(data_offset as u32).to_be_bytes());
        data_offset += t.samples.iter().map(|s| s.data.len()).sum::<usize>();
    }
    mdat(o, trafs);
}

/// `mfhd` — `class MovieFragmentHeaderBox extends FullBox('mfhd', 0, 0)`.
pub fn mfhd(o: &mut Vec<u8>, sequence_number: u32) {
    let at = open_full(o, b"mfhd", 0, 0);
    u32_(o, sequence_number); // sequence_number
    close(o, at);
}

/// `traf` — `class TrackFragmentBox extends Box('traf')`: `tfhd`, `tfdt`, `trun`. Returns
/// the position of the `trun` data_offset field, to patch once the `moof` size is known.
pub fn traf(o: &mut Vec<u8>, t: &TrafData) -> usize {
    let at = open(o, b"traf");
    let n = t.samples.len();
    let duration = |i: usize| -> u32 {
        match t.samples.get(i + 1) {
            Some(next) => (next.dts - t.samples[i].dts).clamp(1, u32::MAX as i64) as u32,
            None => t.samples[i].duration,
        }
    };
    let durations: Vec<u32> = (0..n).map(duration).collect();
    let uniform_duration = durations.windows(2).all(|w| w[0] == w[1]);
    let flags = |s: &Sample| {
        if s.keyframe {
            SYNC_SAMPLE_FLAGS
        } else {
            NON_SYNC_SAMPLE_FLAGS
        }
    };
    // Video whose only sync sample is the first: first_sample_flags + a non-sync default.
    let only_first_sync = t.samples.iter().skip(1).all(|s| !s.keyframe);
    let all_same_flags = t.samples.windows(2).all(|w| w[0].keyframe == w[1].keyframe);
    let (default_flags, first_flags, per_sample_flags) = if all_same_flags {
        (
            t.samples.first().map_or(SYNC_SAMPLE_FLAGS, flags),
            None,
            false,
        )
    } else if only_first_sync {
        (NON_SYNC_SAMPLE_FLAGS, Some(flags(&t.samples[0])), false)
    } else {
        (NON_SYNC_SAMPLE_FLAGS, None, true)
    };
    tfhd(
        o,
        t.track_id,
        uniform_duration.then(|| durations.first().copied().unwrap_or(0)),
        default_flags,
    );
    tfdt(o, t.base_decode_time);
    let field = trun(
        o,
        t.samples,
        (!uniform_duration).then_some(&durations[..]),
        first_flags,
        per_sample_flags,
    );
    close(o, at);
    field
}

/// `tfhd` — `class TrackFragmentHeaderBox extends FullBox('tfhd', 0, tf_flags)`; flags:
/// 0x020000 default-base-is-moof, 0x08 default-sample-duration-present, 0x20
/// default-sample-flags-present.
pub fn tfhd(o: &mut Vec<u8>, track_id: u32, default_duration: Option<u32>, default_flags: u32) {
    let flags = 0x02_0000 | 0x20 | if default_duration.is_some() { 0x08 } else { 0 };
    let at = open_full(o, b"tfhd", 0, flags);
    u32_(o, track_id); // track_ID
    if let Some(d) = default_duration {
        u32_(o, d); // default_sample_duration
    }
    u32_(o, default_flags); // default_sample_flags
    close(o, at);
}

/// `tfdt` — `class TrackFragmentBaseMediaDecodeTimeBox extends FullBox('tfdt', version, 0)`;
/// version 1: 64-bit `baseMediaDecodeTime`.
pub fn tfdt(o: &mut Vec<u8>, base_media_decode_time: u64) {
    let at = open_full(o, b"tfdt", 1, 0);
    u64_(o, base_media_decode_time); // baseMediaDecodeTime
    close(o, at);
}

/// `trun` — `class TrackRunBox extends FullBox('trun', version, tr_flags)`. Writes only what
/// varies: 0x001 data-offset (always), 0x004 first-sample-flags, 0x100 sample-duration,
/// 0x200 sample-size (always), 0x400 sample-flags, 0x800 sample-composition-time-offset
/// (version 1, signed, when any offset is negative). Returns the data_offset position.
pub fn trun(
    o: &mut Vec<u8>,
    samples: &[Sample],
    durations: Option<&[u32]>,
    first_flags: Option<u32>,
    per_sample_flags: bool,
) -> usize {
    let any_cts = samples.iter().any(|s| s.cts != 0);
    let negative_cts = samples.iter().any(|s| s.cts < 0);
    let mut flags = 0x001 | 0x200;
    if first_flags.is_some() {
        flags |= 0x004;
    }
    if durations.is_some() {
        flags |= 0x100;
    }
    if per_sample_flags {
        flags |= 0x400;
    }
    if any_cts {
        flags |= 0x800;
    }
    let at = open_full(o, b"trun", negative_cts as u8, flags);
    u32_(o, samples.len() as u32); // sample_count
    let field = o.len();
    u32_(o, 0); // data_offset, patched by `fragment`
    if let Some(f) = first_flags {
        u32_(o, f); // first_sample_flags
    }
    for (i, s) in samples.iter().enumerate() {
        if let Some(d) = durations {
            u32_(o, d[i]); // sample_duration
        }
        u32_(o, s.data.len() as u32); // sample_size
        if per_sample_flags {
            let f = if s.keyframe {
                SYNC_SAMPLE_FLAGS
            } else {
                NON_SYNC_SAMPLE_FLAGS
            };
            u32_(o, f); // sample_flags
        }
        if any_cts {
            u32_(o, s.cts as u32); // sample_composition_time_offset (signed in version 1)
        }
    }
    close(o, at);
    field
}

/// `mdat` — `class MediaDataBox extends Box('mdat') { bit(8) data[]; }`: every sample of
/// every traf, in traf order.
pub fn mdat(o: &mut Vec<u8>, trafs: &[TrafData]) {
    let at = open(o, b"mdat");
    for t in trafs {
        for s in t.samples {
            o.extend_from_slice(&s.data); // sample data
        }
    }
    close(o, at);
}
