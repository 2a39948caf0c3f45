//! How a video track is shown survives the remux: the display rotation (MP4 `tkhd` matrix,
//! MKV ProjectionPoseRoll) and the colour description with HDR10 static metadata (MKV
//! Colour, MP4 `colr`/`mdcv`/`clli`). Fixtures are made by ffmpeg at test time; what
//! ffmpeg 5.1 cannot write (a rotation, MaxCLL, mastering metadata, a container-only colour)
//! is patched in (tkhd bytes here, crates/test-support/src/mkv_edit.rs for MKV). Each check is what
//! ffprobe reports on the source against what it reports on `riptide-remux`'s output.

#![cfg(not(target_arch = "wasm32"))] // runs ffmpeg: native only

use test_support as support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use remux_wasm::demux::mkv::id;
use serde_json::Value;
use support::mkv_edit::{El, Mkv};

/// 1 s of 160×120 test pattern, video only.
fn video_args(codec: &[&str], ext_opts: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=25:duration=1",
    ]
    .iter()
    .chain(codec)
    .chain(ext_opts)
    .map(|s| s.to_string())
    .collect();
    a.push("-an".into());
    a
}

const H264: &[&str] = &["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"];

/// The first video stream of ffprobe's `-show_streams` JSON for `path`.
fn video_stream(path: &Path) -> Value {
    let p = support::ffprobe(path);
    p.of_type("video")
        .first()
        .unwrap_or_else(|| panic!("{}: no video stream", path.display()))
        .json
        .clone()
}

/// ffprobe's display rotation (counter-clockwise degrees) of the video stream, if any.
fn rotation(path: &Path) -> Option<i64> {
    let s = video_stream(path);
    s["side_data_list"]
        .as_array()?
        .iter()
        .find(|d| d["side_data_type"] == "Display Matrix")
        .and_then(|d| d["rotation"].as_i64())
}

/// ffprobe's colour fields and HDR side data of the video stream: the colour fields as
/// JSON, and every field of the mastering display and content light side data as a number
/// (ffprobe prints the mastering values as fractions whose denominators depend on the
/// container), keyed `side data type/field`.
fn colour(path: &Path) -> (Value, BTreeMap<String, f64>) {
    let s = video_stream(path);
    let mut side = BTreeMap::new();
    for d in s["side_data_list"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
    {
        let kind = d["side_data_type"].as_str().unwrap_or_default();
        if kind != "Mastering display metadata" && kind != "Content light level metadata" {
            continue;
        }
        for (k, v) in d.as_object().unwrap() {
            let n = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(f) => f
                    .split_once('/')
                    .and_then(|(a, b)| Some(a.parse::<f64>().ok()? / b.parse::<f64>().ok()?)),
                _ => None,
            };
            if let Some(n) = n {
                side.insert(format!("{kind}/{k}"), n);
            }
        }
    }
    let fields = serde_json::json!({
        "color_primaries": s["color_primaries"],
        "color_transfer": s["color_transfer"],
        "color_space": s["color_space"],
        "color_range": s["color_range"],
    });
    (fields, side)
}

fn remux(input: &Path, name: &str) -> PathBuf {
    let out = support::scratch(name);
    support::riptide_remux(input, &out);
    out
}

/// Writes the rotation `clockwise` (degrees) into the first `tkhd` (the only track) of an
/// ffmpeg-made MP4, as ffmpeg's mov muxer writes it for a rotated source.
fn rotate_mp4(mp4: &[u8], clockwise: u32) -> Vec<u8> {
    let mut b = mp4.to_vec();
    let at = b.windows(4).position(|w| w == b"tkhd").expect("a tkhd") - 4;
    let version = b[at + 8];
    let matrix = at + 8 + 4 + if version == 1 { 32 } else { 20 } + 8 + 8;
    const ONE: i32 = 0x1_0000;
    let (w, h) = (160 << 16, 120 << 16);
    let m: [i32; 9] = match clockwise {
        90 => [0, ONE, 0, -ONE, 0, 0, h, 0, 0x4000_0000],
        180 => [-ONE, 0, 0, 0, -ONE, 0, w, h, 0x4000_0000],
        270 => [0, -ONE, 0, ONE, 0, 0, 0, w, 0x4000_0000],
        _ => unreachable!(),
    };
    for (i, v) in m.iter().enumerate() {
        b[matrix + 4 * i..matrix + 4 * i + 4].copy_from_slice(&v.to_be_bytes());
    }
    b
}

#[test]
fn mp4_tkhd_rotation_is_carried() {
    let Some(src) = support::fixture("mp4", &video_args(H264, &[])) else {
        return;
    };
    let bytes = std::fs::read(&src).unwrap();
    assert_eq!(rotation(&src), None, "ffmpeg's file is not rotated");
    for clockwise in [90, 180, 270] {
        let rotated = support::scratch(&format!("rotated-{clockwise}.mp4"));
        std::fs::write(&rotated, rotate_mp4(&bytes, clockwise)).unwrap();
        // ffprobe prints the counter-clockwise angle, in (-180, 180].
        let expected = (-(clockwise as i64)).rem_euclid(360);
        let src_rotation = rotation(&rotated);
        assert_eq!(
            src_rotation.map(|r| r.rem_euclid(360)),
            Some(expected),
            "ffprobe's rotation of the source patched to {clockwise}° clockwise"
        );
        let out = remux(&rotated, &format!("rotated-{clockwise}-out.mp4"));
        assert_eq!(
            rotation(&out),
            src_rotation,
            "display rotation of the output of a source rotated {clockwise}° clockwise"
        );
    }
}

#[test]
fn mkv_projection_roll_is_carried() {
    let Some(src) = support::fixture("mkv", &video_args(H264, &[])) else {
        return;
    };
    // ProjectionPoseRoll is counter-clockwise (Matroska specification), the same direction
    // as ffprobe's "rotation"; ffmpeg 5.1's matroskadec does not read it (later FFmpeg's
    // mkv_create_display_matrix gives the roll as the rotation), so the source's side of
    // this check is the specification's.
    for roll in [90.0, -90.0, 180.0] {
        let mut mkv = Mkv::parse(&std::fs::read(&src).unwrap());
        mkv.drop_index();
        mkv.video(1).children_mut().push(El::master(
            id::PROJECTION,
            vec![
                El::uint(id::PROJECTION_TYPE, 0),
                El::float(id::PROJECTION_POSE_ROLL, roll),
            ],
        ));
        let rolled = support::scratch(&format!("roll-{roll}.mkv"));
        std::fs::write(&rolled, mkv.to_bytes()).unwrap();
        let out = remux(&rolled, &format!("roll-{roll}-out.mp4"));
        let got = rotation(&out).map(|r| r.rem_euclid(360));
        assert_eq!(
            got,
            Some((roll as i64).rem_euclid(360)),
            "display rotation of the output of a source with ProjectionPoseRoll {roll}"
        );
    }
}

/// MasteringMetadata of a P3-D65 1000 cd/m² display and MaxCLL 1000 / MaxFALL 400, as HDR10
/// releases state them.
fn hdr10_elements() -> Vec<El> {
    vec![
        El::uint(id::MAX_CLL, 1000),
        El::uint(id::MAX_FALL, 400),
        El::master(
            id::MASTERING_METADATA,
            vec![
                El::float(id::PRIMARY_R_CHROMATICITY_X, 0.68),
                El::float(id::PRIMARY_R_CHROMATICITY_Y, 0.32),
                El::float(id::PRIMARY_G_CHROMATICITY_X, 0.265),
                El::float(id::PRIMARY_G_CHROMATICITY_Y, 0.69),
                El::float(id::PRIMARY_B_CHROMATICITY_X, 0.15),
                El::float(id::PRIMARY_B_CHROMATICITY_Y, 0.06),
                El::float(id::WHITE_POINT_CHROMATICITY_X, 0.3127),
                El::float(id::WHITE_POINT_CHROMATICITY_Y, 0.329),
                El::float(id::LUMINANCE_MAX, 1000.0),
                El::float(id::LUMINANCE_MIN, 0.005),
            ],
        ),
    ]
}

/// Checks that ffprobe reports the same colour and HDR10 side data on `src` and on its
/// remux, and that the source has what the test meant to give it.
fn assert_colour_carried(src: &Path, name: &str) -> PathBuf {
    let (fields, side) = colour(src);
    assert_eq!(fields["color_primaries"], "bt2020", "source: {fields}");
    assert_eq!(fields["color_transfer"], "smpte2084", "source: {fields}");
    assert_eq!(fields["color_space"], "bt2020nc", "source: {fields}");
    assert_eq!(side.len(), 12, "source's HDR10 side data: {side:?}");
    let out = remux(src, name);
    let (out_fields, out_side) = colour(&out);
    assert_eq!(out_fields, fields, "colour of {name} against its source");
    assert_eq!(
        out_side.keys().collect::<Vec<_>>(),
        side.keys().collect::<Vec<_>>(),
        "HDR10 side data of {name}: {out_side:?}"
    );
    for (k, v) in &side {
        // mdcv's units: chromaticity 0.00002, luminance 0.0001 cd/m².
        assert!(
            (out_side[k] - v).abs() <= 1e-4,
            "{k} of {name}: {} against the source's {v}",
            out_side[k]
        );
    }
    out
}

#[test]
fn vp9_hdr10_colour_and_mastering_metadata_are_carried() {
    let vp9 = [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-pix_fmt",
        "yuv420p10le",
    ];
    let tags = [
        "-color_primaries",
        "bt2020",
        "-color_trc",
        "smpte2084",
        "-colorspace",
        "bt2020nc",
        "-color_range",
        "tv",
    ];
    let Some(src) = support::fixture("webm", &video_args(&vp9, &tags)) else {
        return;
    };
    let mut mkv = Mkv::parse(&std::fs::read(&src).unwrap());
    mkv.drop_index().colour(1, hdr10_elements());
    let hdr = support::scratch("hdr10.webm");
    std::fs::write(&hdr, mkv.to_bytes()).unwrap();
    assert_colour_carried(&hdr, "hdr10-vp9-out.mp4");
}

#[test]
fn container_only_colour_is_carried_for_h264_and_from_mp4() {
    // x264 writes no colour description in the stream without colour options, so whatever
    // ffprobe reports comes from the container alone.
    let Some(src) = support::fixture("mkv", &video_args(H264, &[])) else {
        return;
    };
    let mut mkv = Mkv::parse(&std::fs::read(&src).unwrap());
    let mut els = vec![
        El::uint(id::MATRIX_COEFFICIENTS, 9),
        El::uint(id::RANGE, 1),
        El::uint(id::TRANSFER_CHARACTERISTICS, 16),
        El::uint(id::PRIMARIES, 9),
    ];
    els.extend(hdr10_elements());
    mkv.drop_index().colour(1, els);
    let hdr = support::scratch("hdr10-h264.mkv");
    std::fs::write(&hdr, mkv.to_bytes()).unwrap();
    let out = assert_colour_carried(&hdr, "hdr10-h264-out.mp4");
    // The output read back as a source: MP4 `colr`/`mdcv`/`clli` are carried too.
    assert_colour_carried(&out, "hdr10-h264-again.mp4");
}
