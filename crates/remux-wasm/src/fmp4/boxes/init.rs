//! The init segment: `ftyp` + `moov` (`mvhd`, one `trak` per track down to `stbl`, `mvex`).

use super::{close, matrix, open, open_full, rotation_matrix, u16_, u32_, zeros};
use super::{stsd, TrackConfig};

/// `ftyp` — `class FileTypeBox extends Box('ftyp') { unsigned int(32) major_brand;
/// unsigned int(32) minor_version; unsigned int(32) compatible_brands[]; }`
pub fn ftyp(o: &mut Vec<u8>) {
    let at = open(o, b"ftyp");
    o.extend_from_slice(b"isom"); // major_brand
    u32_(o, 0x200); // minor_version
    for brand in [b"isom", b"iso6", b"avc1", b"mp41"] {
        o.extend_from_slice(brand); // compatible_brands
    }
    close(o, at);
}

/// `moov` — `class MovieBox extends Box('moov')`: the movie header, one `trak` per track, and
/// `mvex` announcing that the samples come in movie fragments.
pub fn moov(o: &mut Vec<u8>, tracks: &[TrackConfig]) {
    let at = open(o, b"moov");
    mvhd(o, tracks.iter().map(|t| t.track_id).max().unwrap_or(0) + 1);
    for t in tracks {
        trak(o, t);
    }
    mvex(o, tracks);
    close(o, at);
}

/// `mvhd` — `class MovieHeaderBox extends FullBox('mvhd', version, 0)`. Duration 0: the
/// length is unknown (fragmented).
pub fn mvhd(o: &mut Vec<u8>, next_track_id: u32) {
    let at = open_full(o, b"mvhd", 0, 0);
    u32_(o, 0); // creation_time
    u32_(o, 0); // modification_time
    u32_(o, 1000); // timescale
    u32_(o, 0); // duration
    u32_(o, 0x0001_0000); // rate = 1.0
    u16_(o, 0x0100); // volume = 1.0
    zeros(o, 2 + 8); // reserved (16) + reserved (32)[2]
    matrix(o); // matrix
    zeros(o, 24); // pre_defined (32)[6]
    u32_(o, next_track_id); // next_track_ID
    close(o, at);
}

/// `trak` — `class TrackBox extends Box('trak')`: `tkhd` + `mdia`.
pub fn trak(o: &mut Vec<u8>, t: &TrackConfig) {
    let at = open(o, b"trak");
    tkhd(o, t);
    if t.edit_media_time != 0 {
        edts(o, t.edit_media_time);
    }
    mdia(o, t);
    close(o, at);
}

/// `tkhd` — `class TrackHeaderBox extends FullBox('tkhd', version, flags)`; flags 3 =
/// track_enabled | track_in_movie. The matrix carries the source's display rotation; width
/// and height stay the decoded picture's, as ffmpeg writes them.
pub fn tkhd(o: &mut Vec<u8>, t: &TrackConfig) {
    let (width, height) = t.media.size();
    let volume = if t.media.is_video() { 0 } else { 0x0100 };
    let at = open_full(o, b"tkhd", 0, 3);
    u32_(o, 0); // creation_time
    u32_(o, 0); // modification_time
    u32_(o, t.track_id); // track_ID
    u32_(o, 0); // reserved
    u32_(o, 0); // duration
    zeros(o, 8); // reserved (32)[2]
    u16_(o, 0); // layer
    u16_(o, 0); // alternate_group
    u16_(o, volume); // volume: 1.0 for audio
    u16_(o, 0); // reserved
    rotation_matrix(o, t.rotation, width, height); // matrix
    u32_(o, (width as u32) << 16); // width, 16.16
    u32_(o, (height as u32) << 16); // height, 16.16
    close(o, at);
}

/// `edts` + `elst` — `class EditListBox extends FullBox('elst', version, 0)` with one edit
/// that starts the presentation at `media_time` (encoder priming: Opus pre-skip, MP3/AAC
/// encoder delay). ffmpeg and Chromium both apply a single edit's `media_time` as a shift
/// of every timestamp. `segment_duration` 0: the
/// length is unknown (fragmented), the edit runs to the end.
pub fn edts(o: &mut Vec<u8>, media_time: u32) {
    let at = open(o, b"edts");
    let elst = open_full(o, b"elst", 0, 0);
    u32_(o, 1); // entry_count
    u32_(o, 0); // segment_duration (movie timescale)
    u32_(o, media_time); // media_time (media timescale), signed
    u16_(o, 1); // media_rate_integer
    u16_(o, 0); // media_rate_fraction
    close(o, elst);
    close(o, at);
}

/// `mdia` — `class MediaBox extends Box('mdia')`: `mdhd`, `hdlr`, `minf`.
pub fn mdia(o: &mut Vec<u8>, t: &TrackConfig) {
    let at = open(o, b"mdia");
    mdhd(o, t.timescale, t.language);
    hdlr(o, t.media.is_video());
    minf(o, t);
    close(o, at);
}

/// `mdhd` — `class MediaHeaderBox extends FullBox('mdhd', version, 0)`; `language` is three
/// 5-bit letters, each `letter - 0x60`.
pub fn mdhd(o: &mut Vec<u8>, timescale: u32, language: [u8; 3]) {
    let at = open_full(o, b"mdhd", 0, 0);
    u32_(o, 0); // creation_time
    u32_(o, 0); // modification_time
    u32_(o, timescale); // timescale
    u32_(o, 0); // duration
    let l = |c: u8| (c.wrapping_sub(0x60) & 0x1f) as u16;
    u16_(
        o,
        l(language[0]) << 10 | l(language[1]) << 5 | l(language[2]),
    ); // pad(1), language
    u16_(o, 0); // pre_defined
    close(o, at);
}

/// `hdlr` — `class HandlerBox extends FullBox('hdlr', 0, 0)`: `vide` or `soun`.
pub fn hdlr(o: &mut Vec<u8>, video: bool) {
    let at = open_full(o, b"hdlr", 0, 0);
    u32_(o, 0); // pre_defined
    o.extend_from_slice(if video { b"vide" } else { b"soun" }); // handler_type
    zeros(o, 12); // reserved (32)[3]
    o.extend_from_slice(if video {
        b"VideoHandler\0"
    } else {
        b"SoundHandler\0"
    }); // name
    close(o, at);
}

/// `minf` — `class MediaInformationBox extends Box('minf')`: media header, `dinf`, `stbl`.
pub fn minf(o: &mut Vec<u8>, t: &TrackConfig) {
    let at = open(o, b"minf");
    if t.media.is_video() {
        vmhd(o);
    } else {
        smhd(o);
    }
    dinf(o);
    stbl(o, t);
    close(o, at);
}

/// `vmhd` — `class VideoMediaHeaderBox extends FullBox('vmhd', version = 0, 1)`.
pub fn vmhd(o: &mut Vec<u8>) {
    let at = open_full(o, b"vmhd", 0, 1);
    u16_(o, 0); // graphicsmode = copy
    zeros(o, 6); // opcolor (16)[3]
    close(o, at);
}

/// `smhd` — `class SoundMediaHeaderBox extends FullBox('smhd', version = 0, 0)`.
pub fn smhd(o: &mut Vec<u8>) {
    let at = open_full(o, b"smhd", 0, 0);
    u16_(o, 0); // balance
    u16_(o, 0); // reserved
    close(o, at);
}

/// `dinf` + `dref` with one self-contained `url ` entry (flags 1: media is in this file).
pub fn dinf(o: &mut Vec<u8>) {
    let at = open(o, b"dinf");
    let dref = open_full(o, b"dref", 0, 0);
    u32_(o, 1); // entry_count
    let url = open_full(o, b"url ", 0, 1); // flags = self-contained
    close(o, url);
    close(o, dref);
    close(o, at);
}

/// `stbl` — `class SampleTableBox extends Box('stbl')`: the sample description and empty
/// tables (every sample is in the fragments).
pub fn stbl(o: &mut Vec<u8>, t: &TrackConfig) {
    let at = open(o, b"stbl");
    stsd(o, t);
    for kind in [b"stts", b"stsc", b"stco"] {
        let b = open_full(o, kind, 0, 0);
        u32_(o, 0); // entry_count
        close(o, b);
    }
    let stsz = open_full(o, b"stsz", 0, 0);
    u32_(o, 0); // sample_size
    u32_(o, 0); // sample_count
    close(o, stsz);
    close(o, at);
}

/// `mvex` — `class MovieExtendsBox extends Box('mvex')`: one `trex` per track.
pub fn mvex(o: &mut Vec<u8>, tracks: &[TrackConfig]) {
    let at = open(o, b"mvex");
    for t in tracks {
        trex(o, t.track_id);
    }
    close(o, at);
}

/// `trex` — `class TrackExtendsBox extends FullBox('trex', 0, 0)`. Defaults are zero: every
/// `tfhd`/`trun` states its own.
pub fn trex(o: &mut Vec<u8>, track_id: u32) {
    let at = open_full(o, b"trex", 0, 0);
    u32_(o, track_id); // track_ID
    u32_(o, 1); // default_sample_description_index
    u32_(o, 0); // default_sample_duration
    u32_(o, 0); // default_sample_size
    u32_(o, 0); // default_sample_flags
    close(o, at);
}

/// The init segment: `ftyp` + `moov`.
pub fn init_segment(tracks: &[TrackConfig]) -> Vec<u8> {
    let mut o = Vec::with_capacity(1024);
    ftyp(&mut o);
    moov(&mut o, tracks);
    o
}
