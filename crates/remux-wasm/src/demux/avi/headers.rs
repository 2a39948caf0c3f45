//! The header list (`LIST hdrl`): the main header `avih`, and one `LIST strl` per stream with
//! its stream header `strh`, format `strf` (BITMAPINFOHEADER or WAVEFORMATEX), optional name
//! `strn` and OpenDML super index `indx`.

use super::riff::{u16le, u32le, u64le};
use crate::error::{Error, Result};

/// Streams beyond this many are ignored (chunk ids carry two decimal digits).
pub const MAX_STREAMS: usize = 100;
/// Super index entries beyond this many are ignored (ffmpeg reserves 256; one covers ~1 GB).
const MAX_SUPER_ENTRIES: usize = 16_384;

/// `avih`: the fields Riptide reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MainHeader {
    /// `dwMicroSecPerFrame`: frame duration in µs.
    pub micro_sec_per_frame: u32,
    /// `dwFlags`: bit 4 (0x10) AVIF_HASINDEX, bit 5 (0x20) AVIF_MUSTUSEINDEX.
    pub flags: u32,
    /// `dwTotalFrames`: frames in the first RIFF only (OpenDML puts the total in `dmlh`).
    pub total_frames: u32,
    /// `dwStreams`.
    pub streams: u32,
}

/// One entry of an OpenDML super index: where one `ix##` standard index chunk is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuperEntry {
    /// `qwOffset`: file offset of the `ix##` chunk header.
    pub offset: u64,
    /// `dwSize`: size of the `ix##` chunk, header included.
    pub size: u32,
    /// `dwDuration`: the time it covers, in stream ticks.
    pub duration: u32,
}

/// What kind of stream `strh.fccType` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamType {
    Video,
    Audio,
    Text,
    Other,
}

/// One stream's headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamInfo {
    pub kind: StreamType,
    /// `strh.fccHandler` (video: the codec fourcc as the writer saw it).
    pub handler: [u8; 4],
    /// `strh.dwScale` / `strh.dwRate`: one tick (a frame, or a sample block) is scale/rate s.
    pub scale: u32,
    pub rate: u32,
    /// `strh.dwStart`: ticks before the first chunk.
    pub start: u32,
    /// `strh.dwLength`: stream length in ticks (first RIFF only in OpenDML files).
    pub length: u32,
    /// `strh.dwSampleSize`: 0 when every chunk is one tick (video, VBR audio), else the bytes
    /// of one tick (CBR audio: byte position gives time).
    pub sample_size: u32,
    /// `strh.wLanguage` (rarely set).
    pub language: u16,
    /// Video (`BITMAPINFOHEADER`): `biCompression` fourcc, size.
    pub compression: [u8; 4],
    pub width: u32,
    pub height: u32,
    /// Audio (`WAVEFORMATEX`): format tag (the sub-format's for WAVE_FORMAT_EXTENSIBLE).
    pub format_tag: u16,
    pub channels: u16,
    pub sample_rate: u32,
    pub avg_bytes_per_sec: u32,
    pub block_align: u16,
    pub bits_per_sample: u16,
    /// Codec configuration after the fixed format structure (`cbSize` bytes for audio, the
    /// rest of the BITMAPINFOHEADER for video): AAC AudioSpecificConfig, H.264 SPS/PPS, ...
    pub extradata: Vec<u8>,
    /// `strn`: the stream's name.
    pub name: Option<String>,
    /// `indx`: OpenDML super index entries (empty when absent or only a JUNK placeholder).
    pub super_index: Vec<SuperEntry>,
}

fn invalid(what: impl Into<String>) -> Error {
    Error::invalid("AVI", what)
}

/// `avih` (56 bytes):
/// ```text
/// dwMicroSecPerFrame, dwMaxBytesPerSec, dwPaddingGranularity, dwFlags, dwTotalFrames,
/// dwInitialFrames, dwStreams, dwSuggestedBufferSize, dwWidth, dwHeight, dwReserved[4]
/// ```
pub fn parse_avih(b: &[u8]) -> MainHeader {
    MainHeader {
        micro_sec_per_frame: u32le(b, 0), // dwMicroSecPerFrame
        flags: u32le(b, 12),              // dwFlags
        total_frames: u32le(b, 16),       // dwTotalFrames
        streams: u32le(b, 24),            // dwStreams
    }
}

/// `strh` (48-64 bytes):
/// ```text
/// fccType, fccHandler, dwFlags, wPriority, wLanguage, dwInitialFrames, dwScale, dwRate,
/// dwStart, dwLength, dwSuggestedBufferSize, dwQuality, dwSampleSize, rcFrame
/// ```
pub fn parse_strh(b: &[u8]) -> Result<StreamInfo> {
    if b.len() < 48 {
        return Err(invalid(format!(
            "a stream header (strh) is {} bytes long, expected at least 48",
            b.len()
        )));
    }
    let kind = match &b[0..4] {
        b"vids" => StreamType::Video,
        b"auds" => StreamType::Audio,
        b"txts" => StreamType::Text,
        _ => StreamType::Other,
    }; // fccType
    Ok(StreamInfo {
        kind,
        handler: [b[4], b[5], b[6], b[7]], // fccHandler
        // dwFlags (8), wPriority (12) are not used.
        language: u16le(b, 14),    // wLanguage
        scale: u32le(b, 20),       // dwScale
        rate: u32le(b, 24),        // dwRate
        start: u32le(b, 28),       // dwStart
        length: u32le(b, 32),      // dwLength
        sample_size: u32le(b, 44), // dwSampleSize
        compression: [0; 4],
        width: 0,
        height: 0,
        format_tag: 0,
        channels: 0,
        sample_rate: 0,
        avg_bytes_per_sec: 0,
        block_align: 0,
        bits_per_sample: 0,
        extradata: Vec::new(),
        name: None,
        super_index: Vec::new(),
    })
}

/// `strf` of a video stream: BITMAPINFOHEADER
/// ```text
/// biSize, biWidth (i32), biHeight (i32, negative = top-down), biPlanes (u16),
/// biBitCount (u16), biCompression (fourcc), biSizeImage, biXPelsPerMeter, biYPelsPerMeter,
/// biClrUsed, biClrImportant; then codec extradata up to the chunk end
/// ```
pub fn parse_strf_video(s: &mut StreamInfo, b: &[u8]) {
    s.width = (u32le(b, 4) as i32).unsigned_abs(); // biWidth
    s.height = (u32le(b, 8) as i32).unsigned_abs(); // biHeight
    if b.len() >= 20 {
        s.compression = [b[16], b[17], b[18], b[19]]; // biCompression
    }
    let header = (u32le(b, 0) as usize).clamp(40, b.len().max(40)); // biSize
    if b.len() > header {
        s.extradata = b[header..].to_vec();
    } else if b.len() > 40 {
        s.extradata = b[40..].to_vec();
    }
}

/// `strf` of an audio stream: WAVEFORMATEX
/// ```text
/// wFormatTag, nChannels (u16), nSamplesPerSec, nAvgBytesPerSec, nBlockAlign (u16),
/// wBitsPerSample (u16), cbSize (u16), then cbSize bytes of extra data
/// (WAVE_FORMAT_EXTENSIBLE 0xFFFE: wValidBitsPerSample, dwChannelMask, SubFormat GUID whose
/// first two bytes are the real format tag)
/// ```
pub fn parse_strf_audio(s: &mut StreamInfo, b: &[u8]) {
    s.format_tag = u16le(b, 0); // wFormatTag
    s.channels = u16le(b, 2); // nChannels
    s.sample_rate = u32le(b, 4); // nSamplesPerSec
    s.avg_bytes_per_sec = u32le(b, 8); // nAvgBytesPerSec
    s.block_align = u16le(b, 12); // nBlockAlign
    s.bits_per_sample = u16le(b, 14); // wBitsPerSample
    if b.len() > 18 {
        let cb = (u16le(b, 16) as usize).min(b.len() - 18); // cbSize
        let extra = &b[18..18 + cb];
        if s.format_tag == 0xFFFE && extra.len() >= 8 {
            s.format_tag = u16le(extra, 6); // SubFormat GUID data1, low 16 bits
            s.extradata = extra.get(22..).map(<[u8]>::to_vec).unwrap_or_default();
        } else {
            s.extradata = extra.to_vec();
        }
    }
}

/// `indx` (OpenDML super index):
/// ```text
/// wLongsPerEntry (u16, 4), bIndexSubType (u8), bIndexType (u8, 0 = index of indexes),
/// nEntriesInUse (u32), dwChunkId (fourcc), dwReserved[3],
/// then entries { qwOffset (u64), dwSize (u32), dwDuration (u32) }
/// ```
/// Entries pointing nowhere (offset 0, ffmpeg's unused JUNK placeholder) are dropped.
pub fn parse_indx(b: &[u8]) -> Vec<SuperEntry> {
    if b.len() < 24 || b[3] != 0 || u16le(b, 0) != 4 {
        return Vec::new(); // not an index of indexes (bIndexType / wLongsPerEntry)
    }
    let n = (u32le(b, 4) as usize).min(MAX_SUPER_ENTRIES); // nEntriesInUse
    b[24..]
        .chunks_exact(16)
        .take(n)
        .map(|e| SuperEntry {
            offset: u64le(e, 0),    // qwOffset
            size: u32le(e, 8),      // dwSize
            duration: u32le(e, 12), // dwDuration
        })
        .filter(|e| e.offset != 0)
        .collect()
}

/// Parses the payload of `LIST hdrl` (after the `hdrl` type): `avih` and every `strl`.
pub fn parse_hdrl(b: &[u8]) -> Result<(MainHeader, Vec<StreamInfo>)> {
    let mut main = None;
    let mut total_frames = None;
    let mut streams = Vec::new();
    for (id, body) in sub_chunks(b) {
        match &id {
            b"avih" => main = Some(parse_avih(body)),
            b"LIST" if body.len() >= 4 && &body[..4] == b"odml" => {
                // OpenDML extended header: dmlh.dwTotalFrames counts every RIFF's frames.
                if let Some((_, dmlh)) = sub_chunks(&body[4..]).find(|(id, _)| id == b"dmlh") {
                    total_frames = Some(u32le(dmlh, 0));
                }
            }
            b"LIST" if body.len() >= 4 && &body[..4] == b"strl" => {
                if streams.len() >= MAX_STREAMS {
                    continue;
                }
                streams.push(parse_strl(&body[4..])?);
            }
            _ => {}
        }
    }
    let mut main: MainHeader =
        main.ok_or_else(|| invalid("the header list has no main header (avih)"))?;
    if let Some(n) = total_frames {
        main.total_frames = main.total_frames.max(n);
    }
    Ok((main, streams))
}

/// One `LIST strl`'s children.
fn parse_strl(b: &[u8]) -> Result<StreamInfo> {
    let mut stream: Option<StreamInfo> = None;
    for (id, body) in sub_chunks(b) {
        match (&id, stream.as_mut()) {
            (b"strh", None) => stream = Some(parse_strh(body)?),
            (b"strf", Some(s)) => match s.kind {
                StreamType::Video => parse_strf_video(s, body),
                StreamType::Audio => parse_strf_audio(s, body),
                _ => {}
            },
            (b"strn", Some(s)) => {
                let end = body.iter().position(|&c| c == 0).unwrap_or(body.len());
                let name = String::from_utf8_lossy(&body[..end.min(256)])
                    .trim()
                    .to_string();
                s.name = (!name.is_empty()).then_some(name);
            }
            (b"indx", Some(s)) => s.super_index = parse_indx(body),
            _ => {}
        }
    }
    stream.ok_or_else(|| invalid("a stream list (strl) has no stream header (strh)"))
}

/// The chunks inside a list payload, as (id, payload) pairs; a chunk running past the end
/// is cut at it (truncated or damaged headers keep what is there).
pub fn sub_chunks(b: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        if pos + 8 > b.len() {
            return None;
        }
        let id = [b[pos], b[pos + 1], b[pos + 2], b[pos + 3]];
        let size = u32le(b, pos + 4) as usize;
        let start = pos + 8;
        let end = start.saturating_add(size).min(b.len());
        pos = end.saturating_add(size & 1);
        Some((id, &b[start..end]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = id.to_vec();
        v.extend_from_slice(&(body.len() as u32).to_le_bytes());
        v.extend_from_slice(body);
        if body.len() % 2 == 1 {
            v.push(0);
        }
        v
    }

    #[test]
    fn parses_ffmpeg_style_headers() {
        // The hdrl of an ffmpeg H.264 + MP3 AVI (strh/strf bytes copied from one).
        let strh_v = hex("76696473483236340000000000000000000000000100000019000000000000003200000006160000ffffffff00000000000000004001f000");
        let strf_v =
            hex("2800000040010000f000000001001800483236340084030000000000000000000000000000000000");
        let strh_a = hex("6175647301000000000000000000000000000000030000007d0000000000000058000000c0000000ffffffff0000000000000000");
        let strf_a = hex("5500010080bb000000000000800400000c00010002000000800401007105");
        let mut indx = vec![4, 0, 0, 0, 1, 0, 0, 0];
        indx.extend_from_slice(b"00dc");
        indx.extend_from_slice(&[0; 12]);
        indx.extend_from_slice(&1234u64.to_le_bytes());
        indx.extend_from_slice(&100u32.to_le_bytes());
        indx.extend_from_slice(&50u32.to_le_bytes());
        let mut strl_v = b"strl".to_vec();
        strl_v.extend(chunk(b"strh", &strh_v));
        strl_v.extend(chunk(b"strf", &strf_v));
        strl_v.extend(chunk(b"indx", &indx));
        let mut strl_a = b"strl".to_vec();
        strl_a.extend(chunk(b"strh", &strh_a));
        strl_a.extend(chunk(b"strf", &strf_a));
        strl_a.extend(chunk(b"strn", b"English\0"));
        let mut avih = vec![0u8; 56];
        avih[0..4].copy_from_slice(&40000u32.to_le_bytes());
        avih[24..28].copy_from_slice(&2u32.to_le_bytes());
        let mut hdrl = chunk(b"avih", &avih);
        hdrl.extend(chunk(b"LIST", &strl_v));
        hdrl.extend(chunk(b"LIST", &strl_a));
        let (main, s) = parse_hdrl(&hdrl).unwrap();
        assert_eq!((main.micro_sec_per_frame, main.streams), (40000, 2));
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].kind, StreamType::Video);
        assert_eq!(
            (&s[0].compression, s[0].width, s[0].height),
            (b"H264", 320, 240)
        );
        assert_eq!((s[0].scale, s[0].rate, s[0].length), (1, 25, 50));
        assert_eq!(
            s[0].super_index,
            vec![SuperEntry {
                offset: 1234,
                size: 100,
                duration: 50
            }]
        );
        assert_eq!(s[1].kind, StreamType::Audio);
        assert_eq!(
            (s[1].format_tag, s[1].channels, s[1].sample_rate),
            (0x55, 1, 48000)
        );
        assert_eq!((s[1].scale, s[1].rate, s[1].sample_size), (3, 125, 0));
        assert_eq!(s[1].block_align, 1152);
        assert_eq!(s[1].extradata.len(), 12);
        assert_eq!(s[1].name.as_deref(), Some("English"));
        assert!(parse_hdrl(&chunk(b"JUNK", b"xx")).is_err());
    }

    pub(crate) fn hex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }
}
