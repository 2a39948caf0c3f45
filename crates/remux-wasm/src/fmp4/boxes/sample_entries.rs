//! `stsd` and the sample entry of each codec Riptide carries, with its configuration box.

use super::{close, open, open_full, u16_, u32_, u8_, zeros};
use super::{MediaConfig, TrackConfig};
use crate::packet::Colour;

/// `stsd` — `class SampleDescriptionBox extends FullBox('stsd', version, 0)` with one entry.
pub fn stsd(o: &mut Vec<u8>, t: &TrackConfig) {
    let at = open_full(o, b"stsd", 0, 0);
    u32_(o, 1); // entry_count
    match &t.media {
        MediaConfig::Avc {
            width,
            height,
            avcc,
        } => avc1(o, *width, *height, avcc, t.colour.as_ref()),
        MediaConfig::Hevc {
            width,
            height,
            entry,
            hvcc,
        } => hvc1(o, entry, *width, *height, hvcc, t.colour.as_ref()),
        MediaConfig::Vp9 {
            width,
            height,
            vpcc,
        } => vp09(o, *width, *height, vpcc, t.colour.as_ref()),
        MediaConfig::Av1 {
            width,
            height,
            av1c,
        } => av01(o, *width, *height, av1c, t.colour.as_ref()),
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

/// The colour boxes that follow a visual sample entry's configuration box, when the source
/// described its colour: `colr`, then `mdcv` and `clli` for HDR10 static metadata.
fn colour_boxes(o: &mut Vec<u8>, colour: Option<&Colour>) {
    let Some(c) = colour else { return };
    colr(o, c);
    if let Some(m) = &c.mastering {
        mdcv(o, m);
    }
    if let Some(l) = &c.content_light {
        clli(o, l);
    }
}

/// `colr` — `class ColourInformationBox extends Box('colr') { unsigned int(32) colour_type;
/// ... }` with colour_type `nclx` (ISO/IEC 14496-12 §12.1.5): ITU-T H.273 code points.
pub fn colr(o: &mut Vec<u8>, c: &Colour) {
    let at = open(o, b"colr");
    o.extend_from_slice(b"nclx"); // colour_type
    u16_(o, c.primaries as u16); // colour_primaries
    u16_(o, c.transfer as u16); // transfer_characteristics
    u16_(o, c.matrix as u16); // matrix_coefficients
    u8_(o, if c.full_range { 0x80 } else { 0 }); // full_range_flag (1), reserved (7)
    close(o, at);
}

/// `mdcv` — `class MasteringDisplayColourVolumeBox extends Box('mdcv')` (ISO/IEC 23001-8,
/// SMPTE ST 2086): primaries in green, blue, red order, then the white point, x and y in
/// 0.00002 units; luminances in 0.0001 cd/m². Field order and units as ffmpeg's mov muxer
/// and demuxer use them.
pub fn mdcv(o: &mut Vec<u8>, m: &crate::packet::MasteringDisplay) {
    let at = open(o, b"mdcv");
    for i in [1, 2, 0] {
        u16_(o, m.primaries[i][0]); // display_primaries_x (green, blue, red)
        u16_(o, m.primaries[i][1]); // display_primaries_y
    }
    u16_(o, m.white_point[0]); // white_point_x
    u16_(o, m.white_point[1]); // white_point_y
    u32_(o, m.max_luminance); // max_display_mastering_luminance
    u32_(o, m.min_luminance); // min_display_mastering_luminance
    close(o, at);
}

/// `clli` — `class ContentLightLevelBox extends Box('clli')` (CTA-861.3), in cd/m².
pub fn clli(o: &mut Vec<u8>, l: &crate::packet::ContentLight) {
    let at = open(o, b"clli");
    u16_(o, l.max_cll); // max_content_light_level
    u16_(o, l.max_fall); // max_pic_average_light_level
    close(o, at);
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
pub fn hvc1(
    o: &mut Vec<u8>,
    entry: &[u8; 4],
    width: u16,
    height: u16,
    hvcc: &[u8],
    colour: Option<&Colour>,
) {
    let at = open(o, entry);
    visual_sample_entry_fields(o, width, height);
    let c = open(o, b"hvcC");
    o.extend_from_slice(hvcc); // HEVCDecoderConfigurationRecord
    close(o, c);
    colour_boxes(o, colour);
    close(o, at);
}

/// `vp09` — `class VP9SampleEntry extends VisualSampleEntry('vp09') {
/// VPCodecConfigurationBox config; }` ("VP Codec ISO Media File Format Binding" §2.2).
pub fn vp09(o: &mut Vec<u8>, width: u16, height: u16, vpcc: &[u8], colour: Option<&Colour>) {
    let at = open(o, b"vp09");
    visual_sample_entry_fields(o, width, height);
    vpcc_box(o, vpcc);
    colour_boxes(o, colour);
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
pub fn av01(o: &mut Vec<u8>, width: u16, height: u16, av1c: &[u8], colour: Option<&Colour>) {
    let at = open(o, b"av01");
    visual_sample_entry_fields(o, width, height);
    let c = open(o, b"av1C");
    o.extend_from_slice(av1c); // AV1CodecConfigurationRecord (marker, version, seq fields, configOBUs)
    close(o, c);
    colour_boxes(o, colour);
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
pub fn avc1(o: &mut Vec<u8>, width: u16, height: u16, avcc: &[u8], colour: Option<&Colour>) {
    let at = open(o, b"avc1");
    visual_sample_entry_fields(o, width, height);
    let c = open(o, b"avcC");
    o.extend_from_slice(avcc); // AVCDecoderConfigurationRecord
    close(o, c);
    colour_boxes(o, colour);
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
pub(super) fn descriptor_len(o: &mut Vec<u8>, len: usize) {
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

pub(super) fn len_of_len(len: usize) -> usize {
    match len {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        0x4000..=0x1f_ffff => 3,
        _ => 4,
    }
}
