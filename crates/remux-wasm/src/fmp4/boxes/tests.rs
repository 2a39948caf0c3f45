use super::sample_entries::{descriptor_len, len_of_len};
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
        rotation: Default::default(),
        colour: None,
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
                rotation: Default::default(),
                colour: None,
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
