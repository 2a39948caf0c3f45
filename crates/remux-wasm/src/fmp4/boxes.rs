//! ISO BMFF boxes (ISO/IEC 14496-12) for fragmented MP4: one function per box, each writing
//! into one output `Vec` with its size patched when the box closes. Fields are written one
//! per line with the spec's name beside them.

use crate::timeline::Sample;

/// `sample_depends_on = 2` (does not depend on others): a sync sample.
pub const SYNC_SAMPLE_FLAGS: u32 = 0x0200_0000;
/// `sample_depends_on = 1`, `sample_is_non_sync_sample = 1`.
pub const NON_SYNC_SAMPLE_FLAGS: u32 = 0x0101_0000;

/// What the init segment needs to know about one output track.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackConfig {
    /// `track_ID` in the output (1-based).
    pub track_id: u32,
    /// Ticks per second of the track's media time.
    pub timescale: u32,
    /// ISO 639-2/T code, e.g. `*b"und"`.
    pub language: [u8; 3],
    /// Media time (in `timescale` ticks) the presentation starts at: encoder priming (Opus
    /// pre-skip, MP3/AAC encoder delay) that the source's timestamps put before zero. When
    /// not 0, an edit list says so ([`edts`]).
    pub edit_media_time: u32,
    pub media: MediaConfig,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MediaConfig {
    /// H.264: the avcC payload (AVCDecoderConfigurationRecord).
    Avc {
        width: u16,
        height: u16,
        avcc: Vec<u8>,
    },
    /// H.265: the hvcC payload; `entry` is `hvc1` (parameter sets only in hvcC) or `hev1`.
    Hevc {
        width: u16,
        height: u16,
        entry: [u8; 4],
        hvcc: Vec<u8>,
    },
    /// VP9: the VPCodecConfigurationRecord (vpcC body after version and flags).
    Vp9 {
        width: u16,
        height: u16,
        vpcc: Vec<u8>,
    },
    /// AV1: the av1C payload (AV1CodecConfigurationRecord).
    Av1 {
        width: u16,
        height: u16,
        av1c: Vec<u8>,
    },
    /// AAC: the AudioSpecificConfig.
    Aac {
        sample_rate: u32,
        channels: u16,
        asc: Vec<u8>,
    },
    /// MP3 in `mp4a` with `objectTypeIndication` 0x6B (MPEG-1) or 0x69 (MPEG-2 audio).
    Mp3 {
        sample_rate: u32,
        channels: u16,
        object_type: u8,
    },
    /// Opus: the dOps body; `pre_skip` (48 kHz samples) also goes into an edit list.
    Opus {
        channels: u16,
        pre_skip: u16,
        dops: Vec<u8>,
    },
    /// FLAC: the dfLa body after version and flags (metadata blocks, STREAMINFO first).
    Flac {
        sample_rate: u32,
        channels: u16,
        bits_per_sample: u16,
        blocks: Vec<u8>,
    },
}

impl MediaConfig {
    /// Whether the track is video (`vide` handler, `vmhd`).
    pub fn is_video(&self) -> bool {
        matches!(
            self,
            MediaConfig::Avc { .. }
                | MediaConfig::Hevc { .. }
                | MediaConfig::Vp9 { .. }
                | MediaConfig::Av1 { .. }
        )
    }

    /// Width and height of a video track; (0, 0) for audio.
    fn size(&self) -> (u16, u16) {
        match self {
            MediaConfig::Avc { width, height, .. }
            | MediaConfig::Hevc { width, height, .. }
            | MediaConfig::Vp9 { width, height, .. }
            | MediaConfig::Av1 { width, height, .. } => (*width, *height),
            _ => (0, 0),
        }
    }
}

/// The samples of one track in one fragment.
pub struct TrafData<'a> {
    pub track_id: u32,
    pub is_video: bool,
    /// Decode time of the first sample (`tfdt`).
    pub base_decode_time: u64,
    pub samples: &'a [Sample],
}

// ---- writing helpers -------------------------------------------------------------------

fn u8_(o: &mut Vec<u8>, v: u8) {
    o.push(v);
}
fn u16_(o: &mut Vec<u8>, v: u16) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn u32_(o: &mut Vec<u8>, v: u32) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn u64_(o: &mut Vec<u8>, v: u64) {
    o.extend_from_slice(&v.to_be_bytes());
}
fn zeros(o: &mut Vec<u8>, n: usize) {
    o.resize(o.len() + n, 0);
}

/// Starts a box: a size placeholder and the type. Returns where the box starts.
fn open(o: &mut Vec<u8>, kind: &[u8; 4]) -> usize {
    let at = o.len();
    u32_(o, 0); // size, patched by `close`
    o.extend_from_slice(kind); // type
    at
}

/// Starts a FullBox: box header, then `version` (8 bits) and `flags` (24 bits).
fn open_full(o: &mut Vec<u8>, kind: &[u8; 4], version: u8, flags: u32) -> usize {
    let at = open(o, kind);
    u32_(o, (version as u32) << 24 | (flags & 0x00ff_ffff)); // version, flags
    at
}

/// Ends the box started at `at` by writing its size.
fn close(o: &mut [u8], at: usize) {
    let size = (o.len() - at) as u32;
    o[at..at + 4].copy_from_slice(&size.to_be_bytes());
}

/// The unity transformation matrix of `mvhd` and `tkhd`.
fn matrix(o: &mut Vec<u8>) {
    for v in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000u32] {
        u32_(o, v);
    }
}

// ---- init segment ------------------------------------------------------------------------

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
/// track_enabled | track_in_movie.
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
    matrix(o); // matrix
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

/// `stsd` — `class SampleDescriptionBox extends FullBox('stsd', version, 0)` with one entry.
pub fn stsd(o: &mut Vec<u8>, t: &TrackConfig) {
    let at = open_full(o, b"stsd", 0, 0);
    u32_(o, 1); // entry_count
    match &t.media {
        MediaConfig::Avc {
            width,
            height,
            avcc,
        } => avc1(o, *width, *height, avcc),
        MediaConfig::Hevc {
            width,
            height,
            entry,
            hvcc,
        } => hvc1(o, entry, *width, *height, hvcc),
        MediaConfig::Vp9 {
            width,
            height,
            vpcc,
        } => vp09(o, *width, *height, vpcc),
        MediaConfig::Av1 {
            width,
            height,
            av1c,
        } => av01(o, *width, *height, av1c),
        MediaConfig::Aac {
            sample_rate,
            channels,
            asc,
        } => mp4a(o, *sample_rate, *channels, 0x40, asc),
        MediaConfig::Mp3 {
            sample_rate,
            channels,
            object_type,
        } => mp4a(o, *sample_rate, *channels, *object_type, &[]),
        MediaConfig::Opus { channels, dops, .. } => opus(o, *channels, dops),
        MediaConfig::Flac {
            sample_rate,
            channels,
            bits_per_sample,
            blocks,
        } => flac(o, *sample_rate, *channels, *bits_per_sample, blocks),
    }
    close(o, at);
}

/// The fields every `VisualSampleEntry` starts with (ISO/IEC 14496-12 §12.1.3), after the
/// box header; the codec's configuration box follows.
fn visual_sample_entry_fields(o: &mut Vec<u8>, width: u16, height: u16) {
    zeros(o, 6); // reserved (8)[6]
    u16_(o, 1); // data_reference_index
    u16_(o, 0); // pre_defined
    u16_(o, 0); // reserved
    zeros(o, 12); // pre_defined (32)[3]
    u16_(o, width); // width
    u16_(o, height); // height
    u32_(o, 0x0048_0000); // horizresolution = 72 dpi
    u32_(o, 0x0048_0000); // vertresolution = 72 dpi
    u32_(o, 0); // reserved
    u16_(o, 1); // frame_count
    zeros(o, 32); // compressorname (empty Pascal string)
    u16_(o, 0x0018); // depth
    u16_(o, 0xffff); // pre_defined = -1
}

/// The fields every `AudioSampleEntry` (version 0) starts with, after the box header.
fn audio_sample_entry_fields(o: &mut Vec<u8>, channels: u16, sample_size: u16, rate: u32) {
    zeros(o, 6); // reserved (8)[6]
    u16_(o, 1); // data_reference_index
    zeros(o, 8); // reserved (32)[2]
    u16_(o, channels); // channelcount
    u16_(o, sample_size); // samplesize
    u16_(o, 0); // pre_defined
    u16_(o, 0); // reserved
    u32_(o, if rate > 0xffff { 0 } else { rate << 16 }); // samplerate, 16.16 (0 if too big)
}

/// `hvc1` / `hev1` — `class HEVCSampleEntry() extends VisualSampleEntry('hvc1' or 'hev1')
/// { HEVCConfigurationBox config; }` (ISO/IEC 14496-15 §8.4.1). With `hvc1` every parameter
/// set is in the `hvcC`; with `hev1` they may also be in the samples.
pub fn hvc1(o: &mut Vec<u8>, entry: &[u8; 4], width: u16, height: u16, hvcc: &[u8]) {
    let at = open(o, entry);
    visual_sample_entry_fields(o, width, height);
    let c = open(o, b"hvcC");
    o.extend_from_slice(hvcc); // HEVCDecoderConfigurationRecord
    close(o, c);
    close(o, at);
}

/// `vp09` — `class VP9SampleEntry extends VisualSampleEntry('vp09') {
/// VPCodecConfigurationBox config; }` ("VP Codec ISO Media File Format Binding" §2.2).
pub fn vp09(o: &mut Vec<u8>, width: u16, height: u16, vpcc: &[u8]) {
    let at = open(o, b"vp09");
    visual_sample_entry_fields(o, width, height);
    vpcc_box(o, vpcc);
    close(o, at);
}

/// `vpcC` — `class VPCodecConfigurationBox extends FullBox('vpcC', version = 1, 0) {
/// VPCodecConfigurationRecord() vpcConfig; }`.
pub fn vpcc_box(o: &mut Vec<u8>, record: &[u8]) {
    let at = open_full(o, b"vpcC", 1, 0);
    o.extend_from_slice(record); // profile, level, bitDepth/chromaSubsampling/videoFullRangeFlag, colourPrimaries, transferCharacteristics, matrixCoefficients, codecInitializationDataSize (+data)
    close(o, at);
}

/// `av01` — `class AV1SampleEntry extends VisualSampleEntry('av01') {
/// AV1CodecConfigurationBox config; }` ("AV1 Codec ISO Media File Format Binding" §2.2).
pub fn av01(o: &mut Vec<u8>, width: u16, height: u16, av1c: &[u8]) {
    let at = open(o, b"av01");
    visual_sample_entry_fields(o, width, height);
    let c = open(o, b"av1C");
    o.extend_from_slice(av1c); // AV1CodecConfigurationRecord (marker, version, seq fields, configOBUs)
    close(o, c);
    close(o, at);
}

/// `Opus` — `class OpusSampleEntry() extends AudioSampleEntry('Opus') { OpusSpecificBox(); }`
/// ("Encapsulation of Opus in ISO Base Media File Format" §4.3.1): samplesize 16 and
/// samplerate 48000 as the spec requires.
pub fn opus(o: &mut Vec<u8>, channels: u16, dops: &[u8]) {
    let at = open(o, b"Opus");
    audio_sample_entry_fields(o, channels, 16, 48_000);
    dops_box(o, dops);
    close(o, at);
}

/// `dOps` — `class OpusSpecificBox extends Box('dOps') { Version, OutputChannelCount,
/// PreSkip, InputSampleRate, OutputGain, ChannelMappingFamily [, ChannelMappingTable] }`,
/// all big-endian (built by [`crate::codec::opus::OpusHead::to_dops`]).
pub fn dops_box(o: &mut Vec<u8>, dops: &[u8]) {
    let at = open(o, b"dOps");
    o.extend_from_slice(dops); // Version .. ChannelMappingFamily [, table]
    close(o, at);
}

/// `fLaC` — `class FLACSampleEntry() extends AudioSampleEntry('fLaC') { FLACSpecificBox(); }`
/// ("Encapsulation of FLAC in ISO Base Media File Format" §3.3.1): samplesize is the
/// stream's bits per sample, samplerate its rate when it fits 16 bits (else 0).
pub fn flac(o: &mut Vec<u8>, sample_rate: u32, channels: u16, bits: u16, blocks: &[u8]) {
    let at = open(o, b"fLaC");
    audio_sample_entry_fields(o, channels, bits, sample_rate);
    dfla(o, blocks);
    close(o, at);
}

/// `dfLa` — `class FLACSpecificBox extends FullBox('dfLa', version = 0, 0) {
/// FLACMetadataBlock Blocks[]; }`: STREAMINFO first, last-metadata-block flag on the last.
pub fn dfla(o: &mut Vec<u8>, blocks: &[u8]) {
    let at = open_full(o, b"dfLa", 0, 0);
    o.extend_from_slice(blocks); // FLACMetadataBlock: LastMetadataBlockFlag, BlockType, Length, BlockData
    close(o, at);
}

/// `avc1` — `class AVCSampleEntry extends VisualSampleEntry('avc1') { AVCConfigurationBox
/// config; }` (ISO/IEC 14496-15).
pub fn avc1(o: &mut Vec<u8>, width: u16, height: u16, avcc: &[u8]) {
    let at = open(o, b"avc1");
    visual_sample_entry_fields(o, width, height);
    let c = open(o, b"avcC");
    o.extend_from_slice(avcc); // AVCDecoderConfigurationRecord
    close(o, c);
    close(o, at);
}

/// `mp4a` — `class AudioSampleEntry(codingname) extends SampleEntry(codingname)` followed by
/// an `esds` box naming the codec by `object_type` (0x40 AAC with its AudioSpecificConfig
/// as `dsi`; 0x6B / 0x69 MPEG-1 / MPEG-2 audio, i.e. MP3, without one).
pub fn mp4a(o: &mut Vec<u8>, sample_rate: u32, channels: u16, object_type: u8, dsi: &[u8]) {
    let at = open(o, b"mp4a");
    audio_sample_entry_fields(o, channels, 16, sample_rate.min(0xffff));
    esds(o, object_type, dsi);
    close(o, at);
}

/// An MPEG-4 descriptor length (ISO/IEC 14496-1 §8.3.3): 7 bits per byte, high bit set on
/// every byte but the last.
fn descriptor_len(o: &mut Vec<u8>, len: usize) {
    let mut shift = 21;
    while shift > 0 && len >> shift == 0 {
        shift -= 7;
    }
    while shift > 0 {
        u8_(o, 0x80 | ((len >> shift) & 0x7f) as u8);
        shift -= 7;
    }
    u8_(o, (len & 0x7f) as u8);
}

/// `esds` — `class ESDBox extends FullBox('esds', 0, 0) { ES_Descriptor ES; }` (ISO/IEC
/// 14496-14): ES_Descriptor { DecoderConfigDescriptor { DecoderSpecificInfo = `dsi` (left
/// out when empty) }, SLConfigDescriptor }.
pub fn esds(o: &mut Vec<u8>, object_type: u8, asc: &[u8]) {
    let at = open_full(o, b"esds", 0, 0);
    let dsi_len = asc.len();
    let dsi_total = if asc.is_empty() {
        0
    } else {
        1 + len_of_len(dsi_len) + dsi_len
    };
    let dcd_len = 13 + dsi_total;
    let dcd_total = 1 + len_of_len(dcd_len) + dcd_len;
    let es_len = 3 + dcd_total + 3;
    u8_(o, 0x03); // ES_DescrTag
    descriptor_len(o, es_len);
    u16_(o, 0); // ES_ID
    u8_(o, 0); // streamDependenceFlag, URL_Flag, OCRstreamFlag, streamPriority
    u8_(o, 0x04); // DecoderConfigDescrTag
    descriptor_len(o, dcd_len);
    u8_(o, object_type); // objectTypeIndication: 0x40 Audio ISO/IEC 14496-3, 0x6B/0x69 MPEG-1/2 audio
    u8_(o, 0x15); // streamType = 5 (audio) << 2 | upStream 0 | reserved 1
    o.extend_from_slice(&[0, 0, 0]); // bufferSizeDB (24)
    u32_(o, 0); // maxBitrate
    u32_(o, 0); // avgBitrate
    if !asc.is_empty() {
        u8_(o, 0x05); // DecSpecificInfoTag
        descriptor_len(o, dsi_len);
        o.extend_from_slice(asc); // AudioSpecificConfig
    }
    u8_(o, 0x06); // SLConfigDescrTag
    descriptor_len(o, 1);
    u8_(o, 0x02); // predefined = 2 (reserved for use in MP4 files)
    close(o, at);
}

fn len_of_len(len: usize) -> usize {
    match len {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        0x4000..=0x1f_ffff => 3,
        _ => 4,
    }
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

// ---- media segment -----------------------------------------------------------------------

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_lengths_use_7_bit_groups() {
        let mut o = Vec::new();
        descriptor_len(&mut o, 5);
        descriptor_len(&mut o, 200);
        assert_eq!(o, vec![5, 0x81, 0x48]);
        assert_eq!(len_of_len(200), 2);
    }

    #[test]
    fn esds_lengths_are_consistent() {
        let mut o = Vec::new();
        esds(&mut o, 0x40, &[0x11, 0x90]);
        // box(8) + version/flags(4) + ES tag(1) + len(1) + ES body
        assert_eq!(o[12], 0x03);
        assert_eq!(o[13] as usize, o.len() - 14);
        // DecoderSpecificInfo holds the ASC.
        let dsi = o.windows(4).position(|w| w == [0x05, 0x02, 0x11, 0x90]);
        assert!(dsi.is_some());
        assert_eq!(&o[o.len() - 3..], &[0x06, 0x01, 0x02]);
    }

    #[test]
    fn mp3_esds_has_no_decoder_specific_info() {
        let mut o = Vec::new();
        esds(&mut o, 0x6B, &[]);
        assert_eq!(o[13] as usize, o.len() - 14);
        assert_eq!(o[17], 0x04, "DecoderConfigDescrTag");
        assert_eq!(o[18] as usize, 13, "DecoderConfigDescriptor without DSI");
        assert_eq!(o[19], 0x6B);
        assert!(!o[20..].windows(2).any(|w| w[0] == 0x05 && w[1] < 0x10));
    }

    #[test]
    fn opus_entry_carries_dops_and_an_edit_list() {
        let t = TrackConfig {
            track_id: 2,
            timescale: 48_000,
            language: *b"und",
            edit_media_time: 312,
            media: MediaConfig::Opus {
                channels: 2,
                pre_skip: 312,
                dops: vec![0, 2, 0x01, 0x38, 0, 0, 0xBB, 0x80, 0, 0, 0],
            },
        };
        let mut o = Vec::new();
        trak(&mut o, &t);
        let find = |k: &[u8]| o.windows(4).position(|w| w == k).unwrap();
        let elst = find(b"elst");
        assert_eq!(be(&o, elst + 8), 1); // entry_count
        assert_eq!(be(&o, elst + 16), 312); // media_time
        let dops = find(b"dOps");
        assert_eq!(be(&o, dops - 4), 8 + 11);
        let entry = find(b"Opus");
        assert_eq!(be(&o, entry + 4 + 24) >> 16, 48_000); // samplerate
        assert!(find(b"smhd") > 0);
    }

    #[test]
    fn video_entries_nest_their_config_box() {
        for (media, entry, config) in [
            (
                MediaConfig::Vp9 {
                    width: 160,
                    height: 120,
                    vpcc: vec![0, 10, 0x82, 2, 2, 2, 0, 0],
                },
                b"vp09",
                b"vpcC",
            ),
            (
                MediaConfig::Av1 {
                    width: 160,
                    height: 120,
                    av1c: vec![0x81, 4, 0x0c, 0],
                },
                b"av01",
                b"av1C",
            ),
            (
                MediaConfig::Hevc {
                    width: 160,
                    height: 120,
                    entry: *b"hev1",
                    hvcc: vec![1; 23],
                },
                b"hev1",
                b"hvcC",
            ),
        ] {
            let mut o = Vec::new();
            stsd(
                &mut o,
                &TrackConfig {
                    track_id: 1,
                    timescale: 90_000,
                    language: *b"und",
                    edit_media_time: 0,
                    media,
                },
            );
            let e = o.windows(4).position(|w| w == entry).unwrap();
            let c = o.windows(4).position(|w| w == config).unwrap();
            // The config box is the entry's child, right after the 78 bytes of fields
            // (c is the position of its type, after its size).
            assert_eq!(c, e + 4 + 78 + 4);
            assert_eq!(be(&o, e - 4) as usize, o.len() - (e - 4));
            assert_eq!(u16::from_be_bytes([o[e + 4 + 24], o[e + 4 + 25]]), 160);
        }
    }

    fn sample(dts: i64, cts: i32, key: bool, data: &[u8]) -> Sample {
        Sample {
            dts,
            cts,
            duration: 10,
            keyframe: key,
            pos: 0,
            data: data.to_vec(),
        }
    }

    #[test]
    fn trun_is_version_1_only_with_negative_offsets() {
        let mut o = Vec::new();
        trun(
            &mut o,
            &[sample(0, 5, true, &[1]), sample(10, 0, false, &[2])],
            None,
            None,
            true,
        );
        assert_eq!(o[8], 0, "version 0");
        assert_eq!(be(&o, 8) & 0xffffff, 0x001 | 0x200 | 0x400 | 0x800);
        let mut o = Vec::new();
        trun(
            &mut o,
            &[sample(0, 0, true, &[1]), sample(10, -3, false, &[2])],
            None,
            None,
            false,
        );
        assert_eq!(o[8], 1, "version 1");
        // sample 2: size, then the signed offset.
        assert_eq!(be(&o, o.len() - 4) as i32, -3);
    }

    fn be(o: &[u8], at: usize) -> u32 {
        u32::from_be_bytes(o[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn fragment_data_offsets_point_at_each_tracks_samples() {
        let v = [sample(0, 0, true, b"VV0"), sample(10, 0, false, b"VV1")];
        let a = [sample(0, 0, true, b"A0"), sample(7, 0, true, b"A1")];
        let trafs = [
            TrafData {
                track_id: 1,
                is_video: true,
                base_decode_time: 0,
                samples: &v,
            },
            TrafData {
                track_id: 2,
                is_video: false,
                base_decode_time: 0,
                samples: &a,
            },
        ];
        let mut o = vec![0xee; 5]; // fragments are appended after existing bytes
        fragment(&mut o, 7, &trafs);
        let moof = 5;
        let offsets: Vec<usize> = o
            .windows(4)
            .enumerate()
            .filter(|(_, w)| w == b"trun")
            .map(|(i, _)| moof + be(&o, i + 12) as usize)
            .collect();
        assert_eq!(&o[offsets[0]..offsets[0] + 6], b"VV0VV1");
        assert_eq!(&o[offsets[1]..offsets[1] + 4], b"A0A1");
        // One mdat at the end, with every track's samples in traf order.
        assert_eq!(&o[o.len() - 18..], b"\0\0\0\x12mdatVV0VV1A0A1");
    }
}
