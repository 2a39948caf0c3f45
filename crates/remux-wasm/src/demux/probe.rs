//! Picks the demuxer from the file's first bytes (magic numbers).

use super::avi::AviDemuxer;
use super::mkv::MkvDemuxer;
use super::mp4::Mp4Demuxer;
use super::Demuxer;
use crate::error::{Error, Result};
use crate::io::ByteSource;

/// Reads the first bytes of `src`, recognises the container and opens its demuxer (reading
/// its headers). `NeedData`-retriable.
pub fn open(src: &mut dyn ByteSource) -> Result<Box<dyn Demuxer>> {
    let head = src.read_at(0, 12)?;
    let mut magic = [0u8; 12];
    magic[..head.len()].copy_from_slice(head);
    let len = head.len();
    if len >= 4 && magic[..4] == [0x1A, 0x45, 0xDF, 0xA3] {
        return Ok(Box::new(MkvDemuxer::open(src)?));
    }
    if len >= 8 && &magic[4..8] == b"ftyp" {
        return Ok(Box::new(Mp4Demuxer::open(src)?));
    }
    if len >= 12 && &magic[..4] == b"RIFF" && (&magic[8..12] == b"AVI " || &magic[8..12] == b"AVIX")
    {
        return Ok(Box::new(AviDemuxer::open(src)?));
    }
    if len >= 4 && &magic[..4] == b"RIFF" {
        return Err(Error::unsupported(format!(
            "this RIFF file is not an AVI (type {:?}); Riptide plays AVI, MKV, WebM and MP4/MOV files",
            String::from_utf8_lossy(&magic[8..len.max(8)])
        )));
    }
    if len == 0 {
        return Err(Error::invalid(crate::error::NOT_MEDIA, "the file is empty"));
    }
    Err(Error::invalid(
        crate::error::NOT_MEDIA,
        format!(
            "unrecognised file type (first bytes {:02X?}); Riptide plays AVI, MKV, WebM and MP4/MOV files",
            &magic[..len.min(4)]
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::SparseCache;

    #[test]
    fn recognises_magic_numbers() {
        // An MP4 head without its 'moov' is damaged, not unsupported.
        let mp4 = b"\0\0\0\x20ftypisom\0\0\0\0".to_vec();
        let err = open(&mut SparseCache::from_bytes(mp4)).err().unwrap();
        assert!(matches!(
            err,
            Error::Invalid {
                container: "MP4",
                ..
            }
        ));
        // An AVI head without its header list is damaged; a WAVE file is not a video.
        let avi = b"RIFF\0\0\0\0AVI LIST".to_vec();
        assert!(matches!(
            open(&mut SparseCache::from_bytes(avi)).err().unwrap(),
            Error::Invalid {
                container: "AVI",
                ..
            }
        ));
        let wav = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        assert!(matches!(
            open(&mut SparseCache::from_bytes(wav)).err().unwrap(),
            Error::Unsupported { .. }
        ));
        let junk = b"hello world!".to_vec();
        assert!(matches!(
            open(&mut SparseCache::from_bytes(junk)).err().unwrap(),
            Error::Invalid { .. }
        ));
        assert!(open(&mut SparseCache::new(Some(100)))
            .err()
            .unwrap()
            .is_need_data());
    }
}
