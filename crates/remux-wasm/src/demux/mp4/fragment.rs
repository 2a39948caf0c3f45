//! Fragmented MP4 input: `mvex`/`trex` defaults and one `moof` at a time (`traf` → `tfhd`,
//! `tfdt`, `trun`), turned into the same [`SampleInfo`]s the sample tables yield.

use crate::error::{Error, Result};

use super::boxes::{self, Reader};
use super::sample_table::SampleInfo;
use super::MP4;

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid(MP4, what)
}

/// The most samples one `moof` may describe (a fragment is seconds long; this is hours).
pub const MAX_FRAGMENT_SAMPLES: usize = 1_000_000;

/// `trex`: a track's sample defaults for every fragment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trex {
    pub track_id: u32,
    pub duration: u32,
    pub size: u32,
    pub flags: u32,
}

pub fn parse_trex(body: &[u8]) -> Result<Trex> {
    let mut r = Reader::new(body, "trex");
    r.version_flags()?;
    let track_id = r.u32()?;
    r.u32()?; // default_sample_description_index
    Ok(Trex {
        track_id,
        duration: r.u32()?,
        size: r.u32()?,
        flags: r.u32()?,
    })
}

/// `mehd`: the whole fragmented movie's duration, in the movie timescale.
pub fn parse_mehd(body: &[u8]) -> Result<u64> {
    let mut r = Reader::new(body, "mehd");
    let (v, _) = r.version_flags()?;
    r.u32_or_u64(v)
}

/// A track as the fragment parser needs it.
#[derive(Clone, Copy, Debug)]
pub struct FragTrack {
    pub track_id: u32,
    pub trex: Trex,
    /// Decode time of the track's next sample, if no `tfdt` says otherwise.
    pub next_dts: i64,
}

/// A sample is a sync sample unless `sample_is_non_sync_sample` is set.
fn is_key(flags: u32) -> bool {
    flags & 0x0001_0000 == 0
}

/// Parses the `moof` body (`moof_pos` is the offset of the `moof` box itself) into samples,
/// each tagged with the index of its track in `tracks`, and updates the tracks' `next_dts`.
/// Pure: the caller commits `tracks` only if this succeeds.
pub fn parse_moof(
    body: &[u8],
    moof_pos: u64,
    tracks: &mut [FragTrack],
) -> Result<Vec<(usize, SampleInfo)>> {
    let mut out = Vec::new();
    // Without base-data-offset or default-base-is-moof, a traf's data continues where the
    // previous traf's ended (the first starts at the moof).
    let mut implicit_base = moof_pos;
    for c in boxes::children(body, moof_pos + 8) {
        let (typ, traf, tpos) = c?;
        if &typ != b"traf" {
            continue;
        }
        let Some((tfhd, _)) = boxes::find(traf, tpos + 8, b"tfhd")? else {
            return Err(invalid("a 'traf' has no 'tfhd'"));
        };
        let mut r = Reader::new(tfhd, "tfhd");
        let (_, tf_flags) = r.version_flags()?;
        let track_id = r.u32()?;
        let Some(ti) = tracks.iter().position(|t| t.track_id == track_id) else {
            continue; // A track moov did not declare: skip it.
        };
        let trex = tracks[ti].trex;
        let base = if tf_flags & 0x01 != 0 {
            r.u64()?
        } else if tf_flags & 0x02_0000 != 0 {
            moof_pos
        } else {
            implicit_base
        };
        if tf_flags & 0x02 != 0 {
            r.u32()?; // sample_description_index
        }
        let def_dur = if tf_flags & 0x08 != 0 {
            r.u32()?
        } else {
            trex.duration
        };
        let def_size = if tf_flags & 0x10 != 0 {
            r.u32()?
        } else {
            trex.size
        };
        let def_flags = if tf_flags & 0x20 != 0 {
            r.u32()?
        } else {
            trex.flags
        };
        let mut dts = tracks[ti].next_dts;
        if let Some((tfdt, _)) = boxes::find(traf, tpos + 8, b"tfdt")? {
            let mut r = Reader::new(tfdt, "tfdt");
            let (v, _) = r.version_flags()?;
            dts = r.u32_or_u64(v)?.min(i64::MAX as u64) as i64;
        }
        let mut data_end = base;
        for c in boxes::children(traf, tpos + 8) {
            let (typ, trun, _) = c?;
            if &typ != b"trun" {
                continue;
            }
            let mut r = Reader::new(trun, "trun");
            let (version, flags) = r.version_flags()?;
            let per_sample = [0x100, 0x200, 0x400, 0x800]
                .iter()
                .filter(|&&f| flags & f != 0)
                .count()
                * 4;
            let n = r.u32()? as usize;
            let fixed =
                if flags & 0x01 != 0 { 4 } else { 0 } + if flags & 0x04 != 0 { 4 } else { 0 };
            if out.len() + n > MAX_FRAGMENT_SAMPLES
                || n.saturating_mul(per_sample).saturating_add(fixed) > r.remaining()
            {
                return Err(invalid(format!("'trun' claims {n} samples")));
            }
            let mut offset = if flags & 0x01 != 0 {
                let rel = r.u32()? as i32 as i64;
                base.checked_add_signed(rel)
                    .ok_or_else(|| invalid("'trun' data offset overflows"))?
            } else {
                data_end
            };
            let first_flags = if flags & 0x04 != 0 {
                Some(r.u32()?)
            } else {
                None
            };
            for i in 0..n {
                let duration = if flags & 0x100 != 0 {
                    r.u32()?
                } else {
                    def_dur
                };
                let size = if flags & 0x200 != 0 {
                    r.u32()?
                } else {
                    def_size
                };
                let sflags = if flags & 0x400 != 0 {
                    r.u32()?
                } else {
                    def_flags
                };
                let sflags = if i == 0 {
                    first_flags.unwrap_or(sflags)
                } else {
                    sflags
                };
                let cts_offset = if flags & 0x800 != 0 {
                    let raw = r.u32()?;
                    if version == 0 {
                        raw as i64
                    } else {
                        raw as i32 as i64
                    }
                } else {
                    0
                };
                out.push((
                    ti,
                    SampleInfo {
                        index: 0,
                        offset,
                        size,
                        dts,
                        cts_offset,
                        duration,
                        keyframe: is_key(sflags),
                    },
                ));
                offset = offset.saturating_add(size as u64);
                dts = dts.saturating_add(duration as i64);
            }
            data_end = offset;
        }
        implicit_base = data_end;
        tracks[ti].next_dts = dts;
    }
    // File order; a stable sort keeps each track's decode order for equal offsets.
    out.sort_by_key(|(_, s)| s.offset);
    Ok(out)
}
