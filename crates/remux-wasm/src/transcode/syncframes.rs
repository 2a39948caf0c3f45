//! Syncframes cut out of bytes that do not keep frame boundaries: AVI stores AC-3 and DTS in
//! chunks of any size, so a frame can start in one packet and end in the next. The AC-3 and
//! DTS decoders share this scan; each says how to read its own header.

use crate::error::Result;

/// Appends `data` to `pending`, then finds every whole frame in it: a `sync` word whose
/// header `parse` reads (returning the frame's length and the header) and whose bytes have
/// all arrived. Each is given to `decode`, and the sample counts it returns are collected.
/// A header shorter than `header_len` bytes waits for the next packet; a sync word that
/// `parse` rejects, or that states a frame shorter than its header, is skipped. The bytes of
/// the frames decoded are dropped from `pending`, the rest wait there. If `decode` fails,
/// `pending` is left with the new bytes appended and nothing dropped.
pub(super) fn decode_frames<H>(
    pending: &mut Vec<u8>,
    data: &[u8],
    sync: &[u8],
    header_len: usize,
    parse: impl Fn(&[u8]) -> Option<(usize, H)>,
    mut decode: impl FnMut(&[u8], &H) -> Result<usize>,
) -> Result<Vec<usize>> {
    pending.extend_from_slice(data);
    let mut frames = Vec::new();
    let mut at = 0;
    while let Some(skip) = memchr::memmem::find(&pending[at..], sync) {
        at += skip;
        let Some((len, header)) = parse(&pending[at..]) else {
            if pending.len() - at < header_len {
                break; // the header is cut: wait for the next packet
            }
            at += 1; // not a frame header after all
            continue;
        };
        if len < header_len {
            at += 1;
            continue;
        }
        if pending.len() - at < len {
            break;
        }
        frames.push(decode(&pending[at..at + len], &header)?);
        at += len;
    }
    pending.drain(..at);
    Ok(frames)
}
