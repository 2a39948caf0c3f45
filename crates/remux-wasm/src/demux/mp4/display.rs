//! How a video track is shown: the rotation in the `tkhd` matrix, and the colour boxes of the
//! visual sample entry (`colr`, `mdcv`, `clli`), read into [`Rotation`] and [`Colour`].

use super::boxes::{self, Reader};
use crate::error::Result;
use crate::packet::{Colour, ContentLight, MasteringDisplay, Rotation};

/// The rotation of a `tkhd` matrix `{a, b, u, c, d, v, x, y, w}` (ISO/IEC 14496-12 §6.2.2:
/// a point (p, q) is shown at (a·p + c·q + x, b·p + d·q + y), a, b, c, d in 16.16). In the
/// file's y-down picture, (a, b) = (cos θ, sin θ) turns the picture clockwise by θ; this is
/// how ffmpeg's mov demuxer reads it (its `rotate` tag, and the negated counter-clockwise
/// "displaymatrix: rotation"). A mirrored matrix (negative determinant), a shear or a
/// rotation that is not a whole number of quarter turns is not carried.
pub(super) fn rotation_of_matrix(m: &[i32; 9]) -> Rotation {
    let f = |v: i32| v as f64 / 65536.0;
    let (a, b, c, d) = (f(m[0]), f(m[1]), f(m[3]), f(m[4]));
    if a * d - b * c <= 0.0 {
        return Rotation::None;
    }
    Rotation::from_clockwise(b.atan2(a).to_degrees()).unwrap_or_default()
}

/// The colour description in a visual sample entry's child boxes: `colr` of type `nclx`
/// (ISO/IEC 14496-12 §12.1.5) or QuickTime's `nclc` (no range flag), with `mdcv` and `clli`
/// (ISO/IEC 23001-8 HDR boxes as ffmpeg reads and writes them). `None` without a `colr`
/// that states code points; `mdcv`/`clli` alone are kept with unspecified code points.
pub(super) fn colour_of(children: &[u8], base: u64) -> Result<Option<Colour>> {
    let mut colour = None;
    if let Some((colr, _)) = boxes::find(children, base, b"colr")? {
        let mut r = Reader::new(colr, "colr");
        let kind = r.bytes(4)?;
        if kind == b"nclx" || kind == b"nclc" {
            let primaries = r.u16()?.min(255) as u8;
            let transfer = r.u16()?.min(255) as u8;
            let matrix = r.u16()?.min(255) as u8;
            let full_range = kind == b"nclx" && r.u8().is_ok_and(|b| b & 0x80 != 0);
            colour = Some(Colour {
                primaries,
                transfer,
                matrix,
                full_range,
                mastering: None,
                content_light: None,
            });
        }
    }
    let mastering = match boxes::find(children, base, b"mdcv")? {
        Some((mdcv, _)) => {
            let mut r = Reader::new(mdcv, "mdcv");
            // Stored green, blue, red (SMPTE ST 2086 order); kept red, green, blue.
            let mut gbr = [[0u16; 2]; 3];
            for p in &mut gbr {
                *p = [r.u16()?, r.u16()?];
            }
            Some(MasteringDisplay {
                primaries: [gbr[2], gbr[0], gbr[1]],
                white_point: [r.u16()?, r.u16()?],
                max_luminance: r.u32()?,
                min_luminance: r.u32()?,
            })
        }
        None => None,
    };
    let content_light = match boxes::find(children, base, b"clli")? {
        Some((clli, _)) => {
            let mut r = Reader::new(clli, "clli");
            Some(ContentLight {
                max_cll: r.u16()?,
                max_fall: r.u16()?,
            })
        }
        None => None,
    };
    if colour.is_none() && (mastering.is_some() || content_light.is_some()) {
        colour = Some(Colour::UNSPECIFIED);
    }
    Ok(colour.map(|c| Colour {
        mastering,
        content_light,
        ..c
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: i32 = 0x1_0000;

    #[test]
    fn matrices_of_the_quarter_turns() {
        let m = |a, b, c, d| [a, b, 0, c, d, 0, 0, 0, 0x4000_0000];
        assert_eq!(rotation_of_matrix(&m(ONE, 0, 0, ONE)), Rotation::None);
        assert_eq!(
            rotation_of_matrix(&m(0, ONE, -ONE, 0)),
            Rotation::Clockwise90
        );
        assert_eq!(
            rotation_of_matrix(&m(-ONE, 0, 0, -ONE)),
            Rotation::Clockwise180
        );
        assert_eq!(
            rotation_of_matrix(&m(0, -ONE, ONE, 0)),
            Rotation::Clockwise270
        );
        // Mirrored: not a rotation.
        assert_eq!(rotation_of_matrix(&m(-ONE, 0, 0, ONE)), Rotation::None);
    }
}
