//! A TrackEntry's Video element → [`VideoInfo`]: picture size, the display rotation of a
//! rectangular Projection (ProjectionPoseRoll) and the Colour element (code points, MaxCLL,
//! MaxFALL, MasteringMetadata).

use super::{ebml, id};
use crate::error::Result;
use crate::packet::{Colour, ContentLight, MasteringDisplay, Rotation, VideoInfo};

pub(super) fn parse_video(data: &[u8], base: u64) -> Result<VideoInfo> {
    let mut v = VideoInfo::default();
    for c in ebml::children(data, base) {
        let (c, d, pos) = c?;
        match c {
            id::PIXEL_WIDTH => v.width = ebml::uint(d)?.min(u32::MAX as u64) as u32,
            id::PIXEL_HEIGHT => v.height = ebml::uint(d)?.min(u32::MAX as u64) as u32,
            // Damaged display facts lose the rotation or colour, not the track.
            id::PROJECTION => v.rotation = projection(d, pos).unwrap_or_default(),
            id::COLOUR => v.colour = colour(d, pos).ok(),
            _ => {}
        }
    }
    Ok(v)
}

/// The rotation of a Projection element. ProjectionPoseRoll is counter-clockwise (Matroska
/// specification; FFmpeg's matroskadec negates it for its clockwise display matrix), so the
/// picture turns clockwise by −roll. Only a flat picture (ProjectionType 0, rectangular)
/// with no yaw or pitch is a plain rotation; 360° projections and mirroring are not carried.
fn projection(data: &[u8], base: u64) -> Result<Rotation> {
    let (mut kind, mut yaw, mut pitch, mut roll) = (0, 0.0, 0.0, 0.0);
    for c in ebml::children(data, base) {
        let (c, d, _) = c?;
        match c {
            id::PROJECTION_TYPE => kind = ebml::uint(d)?,
            id::PROJECTION_POSE_YAW => yaw = ebml::float(d)?,
            id::PROJECTION_POSE_PITCH => pitch = ebml::float(d)?,
            id::PROJECTION_POSE_ROLL => roll = ebml::float(d)?,
            _ => {}
        }
    }
    if kind != 0 || yaw != 0.0 || pitch != 0.0 {
        return Ok(Rotation::None);
    }
    Ok(Rotation::from_clockwise(-roll).unwrap_or_default())
}

/// The Colour element. Its code points are ITU-T H.273's (as in MP4 `colr`); Range 2 is
/// full range. Chromaticities (0-1) and luminances (cd/m²) are floats, stored as the MP4
/// `mdcv` units (0.00002 and 0.0001).
fn colour(data: &[u8], base: u64) -> Result<Colour> {
    let mut c = Colour::UNSPECIFIED;
    let code = |d: &[u8]| -> Result<u8> { Ok(ebml::uint(d)?.min(255) as u8) };
    let (mut max_cll, mut max_fall) = (None, None);
    for e in ebml::children(data, base) {
        let (e, d, pos) = e?;
        match e {
            id::MATRIX_COEFFICIENTS => c.matrix = code(d)?,
            id::TRANSFER_CHARACTERISTICS => c.transfer = code(d)?,
            id::PRIMARIES => c.primaries = code(d)?,
            id::RANGE => c.full_range = ebml::uint(d)? == 2,
            id::MAX_CLL => max_cll = Some(ebml::uint(d)?.min(u16::MAX as u64) as u16),
            id::MAX_FALL => max_fall = Some(ebml::uint(d)?.min(u16::MAX as u64) as u16),
            id::MASTERING_METADATA => c.mastering = mastering(d, pos)?,
            _ => {}
        }
    }
    if max_cll.is_some() || max_fall.is_some() {
        c.content_light = Some(ContentLight {
            max_cll: max_cll.unwrap_or(0),
            max_fall: max_fall.unwrap_or(0),
        });
    }
    Ok(c)
}

/// MasteringMetadata; `None` unless it states all three primaries, the white point and both
/// luminances (what the MP4 `mdcv` box needs).
fn mastering(data: &[u8], base: u64) -> Result<Option<MasteringDisplay>> {
    let mut v = [None::<f64>; 10];
    for e in ebml::children(data, base) {
        let (e, d, _) = e?;
        if (id::PRIMARY_R_CHROMATICITY_X..=id::LUMINANCE_MIN).contains(&e) {
            v[(e - id::PRIMARY_R_CHROMATICITY_X) as usize] = Some(ebml::float(d)?);
        }
    }
    let Some(v) = v.iter().copied().collect::<Option<Vec<f64>>>() else {
        return Ok(None);
    };
    let chroma = |x: f64| (x * 50_000.0).round().clamp(0.0, u16::MAX as f64) as u16;
    let luma = |x: f64| (x * 10_000.0).round().clamp(0.0, u32::MAX as f64) as u32;
    Ok(Some(MasteringDisplay {
        primaries: [
            [chroma(v[0]), chroma(v[1])],
            [chroma(v[2]), chroma(v[3])],
            [chroma(v[4]), chroma(v[5])],
        ],
        white_point: [chroma(v[6]), chroma(v[7])],
        max_luminance: luma(v[8]),
        min_luminance: luma(v[9]),
    }))
}
