//! Output checks: a small box reader of our own, and the `mp4` crate as a second parser.
//! (Over 800 lines as one file: every test here drives the Remuxer through the same
//! synthetic streams and box reader defined at the top.)

use super::*;
use crate::error::Error;
use crate::packet::{Codec, Packet, Track, TrackKind};
use crate::codec::tests::{aac_track, h264_track, other_track};
use crate::time::Duration;

/// A parsed box: type, absolute start, header size, total size.
#[derive(Debug, Clone, Copy)]
struct BoxAt {
    kind: [u8; 4],
    start: usize,
    size: usize,
}

impl BoxAt {
    fn body<'a>(&self, b: &'a [u8]) -> &'a [u8] {
        &b[self.start + 8..self.start + self.size]
    }
}

/// The boxes directly inside `b[from..to]`.
fn children(b: &[u8], from: usize, to: usize) -> Vec<BoxAt> {
    let mut out = Vec::new();
    let mut pos = from;
    while pos < to {
        let size = u32::from_be_bytes(b[pos..pos + 4].try_into().unwrap()) as usize;
        assert!(
            size >= 8 && pos + size <= to,
            "bad box size {size} at {pos}"
        );
        out.push(BoxAt {
            kind: b[pos + 4..pos + 8].try_into().unwrap(),
            start: pos,
            size,
        });
        pos += size;
    }
    assert_eq!(pos, to, "boxes overrun their parent");
    out
}

fn child(b: &[u8], parent: BoxAt, kind: &[u8; 4], skip: usize) -> BoxAt {
    children(b, parent.start + 8 + skip, parent.start + parent.size)
        .into_iter()
        .find(|c| &c.kind == kind)
        .unwrap_or_else(|| panic!("no {} box", String::from_utf8_lossy(kind)))
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

/// A parsed `traf`: track, base decode time, and per sample (size, duration, flags, cts, data).
#[derive(Debug)]
struct Traf {
    track_id: u32,
    tfdt: u64,
    trun_version: u8,
    samples: Vec<(u32, u32, u32, i32, Vec<u8>)>,
}

fn parse_traf(b: &[u8], moof: BoxAt, traf: BoxAt) -> Traf {
    let tfhd = child(b, traf, b"tfhd", 0).body(b);
    let tf_flags = be32(tfhd, 0) & 0xffffff;
    assert!(tf_flags & 0x020000 != 0, "default-base-is-moof");
    let track_id = be32(tfhd, 4);
    let mut p = 8;
    let mut default_duration = 0;
    if tf_flags & 0x08 != 0 {
        default_duration = be32(tfhd, p);
        p += 4;
    }
    let default_flags = if tf_flags & 0x20 != 0 {
        be32(tfhd, p)
    } else {
        0
    };
    let tfdt = child(b, traf, b"tfdt", 0).body(b);
    assert_eq!(tfdt[0], 1, "tfdt version 1");
    let base = u64::from_be_bytes(tfdt[4..12].try_into().unwrap());
    let trun = child(b, traf, b"trun", 0).body(b);
    let version = trun[0];
    let flags = be32(trun, 0) & 0xffffff;
    let count = be32(trun, 4);
    let mut data_pos = moof.start + be32(trun, 8) as usize;
    let mut p = 12;
    let first_flags = if flags & 0x004 != 0 {
        p += 4;
        Some(be32(trun, p - 4))
    } else {
        None
    };
    let mut samples = Vec::new();
    for i in 0..count {
        let mut next = || {
            p += 4;
            be32(trun, p - 4)
        };
        let dur = if flags & 0x100 != 0 {
            next()
        } else {
            default_duration
        };
        let size = next();
        let mut sflags = if flags & 0x400 != 0 {
            next()
        } else {
            default_flags
        };
        if i == 0 {
            sflags = first_flags.unwrap_or(sflags);
        }
        let cts = if flags & 0x800 != 0 { next() as i32 } else { 0 };
        samples.push((
            size,
            dur,
            sflags,
            cts,
            b[data_pos..data_pos + size as usize].to_vec(),
        ));
        data_pos += size as usize;
    }
    Traf {
        track_id,
        tfdt: base,
        trun_version: version,
        samples,
    }
}

/// Packets of a synthetic 25 fps IBBP video (GOP of 10, in ms) interleaved with 48 kHz AAC
/// frames, `seconds` long. Video starts with two leading non-key frames that must be dropped.
fn synthetic(seconds: i64) -> Vec<Packet> {
    let mut v = Vec::new();
    // Leading frames before the first key frame (e.g. a stream cut mid-GOP).
    for i in 0..2 {
        v.push((i * 7, false));
    }
    let frames = seconds * 25;
    let mut gop_start = 0;
    while gop_start < frames {
        // Decode order: I P B B P B B P B B over display indices 0..10 of the GOP.
        let order = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8];
        for (k, &d) in order.iter().enumerate() {
            v.push(((gop_start + d) * 40 + 100, k == 0));
        }
        gop_start += 10;
    }
    let mut packets = Vec::new();
    let mut pos = 0;
    let mut vi = v.into_iter().peekable();
    let mut a = 0i64;
    loop {
        let at = a * 1024 * 1000 / 48000;
        let take_audio = match vi.peek() {
            Some(&(pts, _)) => at <= pts,
            None => at < seconds * 1000 + 100,
        };
        if take_audio && at < seconds * 1000 + 100 {
            packets.push(Packet {
                track_id: 2,
                pts: Timestamp(at),
                dts: None,
                dur: None,
                keyframe: true,
                pos,
                data: vec![0xaa, (a >> 8) as u8, a as u8],
            });
            a += 1;
        } else if let Some((pts, key)) = vi.next() {
            packets.push(Packet {
                track_id: 1,
                pts: Timestamp(pts),
                dts: None,
                dur: None,
                keyframe: key,
                pos,
                data: vec![0x11, (pts >> 8) as u8, pts as u8, key as u8],
            });
        } else {
            break;
        }
        pos += 100;
        // A subtitle packet now and then: must be dropped.
        if pos % 5000 == 0 {
            packets.push(Packet {
                track_id: 3,
                ..packets.last().unwrap().clone()
            });
        }
    }
    packets
}

fn tracks() -> Vec<Track> {
    vec![
        h264_track(1),
        aac_track(2),
        other_track(3, TrackKind::Subtitle, "S_TEXT/UTF8"),
    ]
}

/// Runs the remuxer; returns the init segment and the segments.
fn remux(packets: Vec<Packet>) -> (Remuxer, Vec<u8>, Vec<MediaSegment>) {
    let mut r = Remuxer::new(&tracks()).unwrap();
    let init = r.init_segment();
    let mut segs = Vec::new();
    for p in packets {
        segs.extend(r.push(p).unwrap());
    }
    segs.extend(r.finish().unwrap());
    (r, init, segs)
}

#[test]
fn mime_names_both_codecs() {
    let r = Remuxer::new(&tracks()).unwrap();
    assert_eq!(r.mime(), "video/mp4; codecs=\"avc1.64001f,mp4a.40.2\"");
    let audio_only = Remuxer::new(&[aac_track(2)]).unwrap();
    assert_eq!(audio_only.mime(), "audio/mp4; codecs=\"mp4a.40.2\"");
    assert_eq!(r.skipped().len(), 0);
}

#[test]
fn unplayable_files_name_their_codecs() {
    let err = Remuxer::new(&[
        other_track(1, TrackKind::Video, "V_MPEGH/ISO/HEVC"),
        other_track(2, TrackKind::Audio, "A_AC3"),
    ])
    .err()
    .unwrap();
    let msg = err.to_string();
    assert!(matches!(err, Error::Unsupported { .. }));
    assert!(
        msg.contains("H.265 (HEVC)") && msg.contains("AC-3 (A_AC3)"),
        "{msg}"
    );
    // Playable video with unplayable audio: video only, and the reason is kept.
    let r = Remuxer::new(&[h264_track(1), other_track(2, TrackKind::Audio, "A_DTS")]).unwrap();
    assert_eq!(r.mime(), "video/mp4; codecs=\"avc1.64001f\"");
    assert!(r.skipped()[0].contains("DTS"));
}

#[test]
fn prefers_the_default_track() {
    let mut a = aac_track(2);
    a.default = false;
    let mut b = aac_track(3);
    b.codec_private = vec![0x12, 0x10]; // 44.1 kHz
    let r = Remuxer::new(&[h264_track(1), a, b]).unwrap();
    assert_eq!(r.carried_tracks()[1].id, 3);
}

#[test]
fn init_segment_structure() {
    let init = Remuxer::new(&tracks()).unwrap().init_segment();
    let top = children(&init, 0, init.len());
    assert_eq!(
        top.iter().map(|b| &b.kind).collect::<Vec<_>>(),
        vec![b"ftyp", b"moov"]
    );
    let moov = top[1];
    let kids: Vec<[u8; 4]> = children(&init, moov.start + 8, moov.start + moov.size)
        .iter()
        .map(|b| b.kind)
        .collect();
    assert_eq!(kids, vec![*b"mvhd", *b"trak", *b"trak", *b"mvex"]);
    let mvex = child(&init, moov, b"mvex", 0);
    assert_eq!(
        children(&init, mvex.start + 8, mvex.start + mvex.size).len(),
        2
    );
}

#[test]
fn init_segment_reads_back_with_the_mp4_crate() {
    let init = Remuxer::new(&tracks()).unwrap().init_segment();
    let size = init.len() as u64;
    let r = mp4::Mp4Reader::read_header(std::io::Cursor::new(init), size).unwrap();
    assert_eq!(r.ftyp.major_brand, mp4::FourCC::from(*b"isom"));
    let t1 = &r.tracks()[&1];
    assert_eq!(t1.track_type().unwrap(), mp4::TrackType::Video);
    assert_eq!(t1.box_type().unwrap(), mp4::FourCC::from(*b"avc1"));
    assert_eq!(t1.timescale(), 90_000);
    assert_eq!((t1.width(), t1.height()), (320, 240));
    let t2 = &r.tracks()[&2];
    assert_eq!(t2.track_type().unwrap(), mp4::TrackType::Audio);
    assert_eq!(t2.box_type().unwrap(), mp4::FourCC::from(*b"mp4a"));
    assert_eq!(t2.timescale(), 48_000);
    assert_eq!(
        t2.sample_freq_index().unwrap(),
        mp4::SampleFreqIndex::Freq48000
    );
    assert_eq!(t2.channel_config().unwrap(), mp4::ChannelConfig::Stereo);
    assert_eq!(
        t2.audio_profile().unwrap(),
        mp4::AudioObjectType::AacLowComplexity
    );
    assert_eq!(t2.language(), "eng");
}

#[test]
fn fragments_parse_back_with_consistent_timing() {
    let packets = synthetic(3);
    let n_video = packets.iter().filter(|p| p.track_id == 1).count() - 2;
    let n_audio = packets.iter().filter(|p| p.track_id == 2).count();
    let (r, _init, segs) = remux(packets.clone());
    assert_eq!(r.packets() as usize, n_video + n_audio);

    let mut video: Vec<(i64, i64, bool, Vec<u8>)> = Vec::new(); // dts, pts, key, data
    let mut audio = Vec::new();
    let mut seq = 0;
    for (i, seg) in segs.iter().enumerate() {
        let b = &seg.data;
        let top = children(b, 0, b.len());
        assert_eq!(top.len() % 2, 0);
        let mut seg_video = 0;
        for pair in top.chunks(2) {
            assert_eq!((&pair[0].kind, &pair[1].kind), (b"moof", b"mdat"));
            let moof = pair[0];
            let mfhd = child(b, moof, b"mfhd", 0).body(b);
            seq += 1;
            assert_eq!(be32(mfhd, 4), seq);
            let trafs = children(b, moof.start + 8, moof.start + moof.size);
            for traf in trafs.iter().filter(|t| &t.kind == b"traf") {
                let t = parse_traf(b, moof, *traf);
                let mut dts = t.tfdt as i64;
                let negative = t.samples.iter().any(|s| s.3 < 0);
                assert_eq!(t.trun_version, negative as u8);
                for (_size, dur, flags, cts, data) in t.samples {
                    if t.track_id == 1 {
                        let key = flags == boxes::SYNC_SAMPLE_FLAGS;
                        assert!(key || flags == boxes::NON_SYNC_SAMPLE_FLAGS);
                        video.push((dts, dts + cts as i64, key, data));
                        seg_video += 1;
                    } else {
                        assert_eq!(flags, boxes::SYNC_SAMPLE_FLAGS);
                        audio.push((dts, data));
                    }
                    dts += dur as i64;
                }
            }
        }
        if i == 0 {
            // The first fragment is FIRST_SECONDS of the first GOP (0.4 s of 40 ms frames),
            // for a fast start: the frames until the first at least 0.25 s after the start.
            let want = (fragmenter::FIRST_SECONDS / 0.04).ceil() as usize;
            assert_eq!(seg_video, want);
            assert_eq!(
                seg.source_pos,
                packets.iter().find(|p| p.track_id == 2).unwrap().pos
            );
        }
        assert!(seg.start < seg.end);
        assert_eq!(seg.time_base, TimeBase::new(1, 90_000));
    }
    assert_eq!(video.len(), n_video);
    assert_eq!(audio.len(), n_audio);
    // Every fragment starts with a key frame.
    assert!(video[0].2);
    // Video: PTS exactly the source PTS, DTS strictly increasing and never after... the
    // source packets, in order, with their own bytes.
    let src: Vec<&Packet> = packets.iter().filter(|p| p.track_id == 1).skip(2).collect();
    for (i, (s, (dts, pts, key, data))) in src.iter().zip(&video).enumerate() {
        assert_eq!(*pts, s.pts.0 * 90, "video frame {i}");
        assert_eq!(*key, s.keyframe, "video frame {i}");
        assert_eq!(data, &s.data);
        if i > 0 {
            assert!(*dts > video[i - 1].0, "dts increases at {i}");
        }
    }
    // Audio: 1024-sample steps, bytes in order.
    for (i, (dts, data)) in audio.iter().enumerate() {
        assert_eq!(*dts, i as i64 * 1024);
        assert_eq!(data[2], i as u8);
    }
    // Segments are in time order and cover the stream.
    for w in segs.windows(2) {
        assert!(w[0].start < w[1].start);
    }
}

#[test]
fn fragments_double_from_the_first_up_to_about_a_second() {
    let (r, _, segs) = remux(synthetic(6));
    let tb = segs[0].time_base;
    let len = |s: &MediaSegment| tb.seconds(s.end.0 - s.start.0);
    // 0.25 s, 0.5 s, then 1 s each (cut at 40 ms frames, presentation spans include the
    // reordered frames): 0.25 + 0.5 + 5 x 1 + the rest.
    assert!(
        (6..=9).contains(&r.fragments()),
        "{} fragments",
        r.fragments()
    );
    assert!(len(&segs[0]) < 0.45, "first fragment is {} s", len(&segs[0]));
    assert!((0.45..0.8).contains(&len(&segs[1])), "second fragment is {} s", len(&segs[1]));
    for s in &segs[2..segs.len() - 1] {
        assert!((0.9..1.3).contains(&len(s)), "a later fragment is {} s", len(s));
    }
}

#[test]
fn fragments_cut_inside_gops_and_after_a_reset_start_short_at_a_key_frame() {
    let packets = synthetic(3);
    let mut r = Remuxer::new(&tracks()).unwrap();
    let mut segs = Vec::new();
    for p in packets.iter().take(packets.len() / 2).cloned() {
        segs.extend(r.push(p).unwrap());
    }
    // Some fragment of the first run starts at a frame that is not a key frame.
    let starts_on_key = |seg: &MediaSegment| video_traf(seg).samples[0].2 == boxes::SYNC_SAMPLE_FLAGS;
    assert!(starts_on_key(&segs[0]));
    assert!(segs.iter().any(|s| !starts_on_key(s)));
    // After a reset (a seek), the next fragment starts at the next key frame pushed, and is
    // short again.
    r.reset();
    let mut after = Vec::new();
    for p in packets.iter().skip(packets.len() / 2).cloned() {
        after.extend(r.push(p).unwrap());
    }
    assert!(starts_on_key(&after[0]));
    let tb = after[0].time_base;
    assert!(tb.seconds(after[0].end.0 - after[0].start.0) < 0.45);
}

#[test]
fn after_a_seek_the_first_fragment_reaches_just_past_the_target() {
    let packets = synthetic(4);
    let half = packets.len() / 2;
    // The first video key frame from the middle on, and a target 0.3 s into its GOP (0.4 s).
    let key = key_from_middle(&packets);
    let target = key + 300;
    let mut r = Remuxer::new(&tracks()).unwrap();
    r.reset_for(Some((Timestamp(target), TimeBase::MILLIS)));
    let mut segs = Vec::new();
    for p in packets[half..].iter().cloned() {
        segs.extend(r.push(p).unwrap());
    }
    let tb = segs[0].time_base;
    let (start, end) = (tb.seconds(segs[0].start.0), tb.seconds(segs[0].end.0));
    let (key_s, target_s) = (key as f64 / 1000.0, target as f64 / 1000.0);
    // (The audio fed before the key frame comes too.)
    assert!(start <= key_s + 0.001 && start > key_s - 0.05, "starts at {start}, key frame at {key_s}");
    // Just past the target (to the frame): the browser can complete the seek and decode from
    // the key frame while the bytes after it still come; not cut at a time after the key
    // frame, nor at the next GOP.
    let first_past = fragmenter::SEEK_FIRST_PAST_SECONDS;
    assert!(
        end >= target_s + first_past && end < target_s + first_past + 0.15,
        "first fragment after the seek ends at {end} (target {target_s})"
    );
    // The second brings what the browser needs to play on: its audio reaches FIRST_SECONDS
    // past the target (the segment's end), its video the frames shown first; then they
    // double from FIRST_SECONDS, as after a start (the browser plays on with 0.1 s of video
    // past the target: a whole TARGET_SECONDS next would leave it waiting for a second of
    // film).
    let end = tb.seconds(segs[1].end.0);
    let first = fragmenter::FIRST_SECONDS;
    assert!(
        end >= target_s + first && end < target_s + first + 0.15,
        "second fragment after the seek ends at {end} (target {target_s})"
    );
    let video_end = ends(&segs[1]).0;
    assert!(
        video_end >= target_s + fragmenter::SEEK_SECOND_VIDEO_PAST_SECONDS,
        "second fragment's video ends at {video_end} (target {target_s})"
    );
    let len = tb.seconds(segs[2].end.0 - segs[2].start.0);
    assert!((0.2..0.5).contains(&len), "third fragment is {len} s");
    let len = tb.seconds(segs[3].end.0 - segs[3].start.0);
    assert!((0.45..0.8).contains(&len), "fourth fragment is {len} s");
}

/// Where a segment's video and audio end (presentation, seconds): tracks 1 (90 kHz) and 2
/// (48 kHz) of the synthetic film.
fn ends(seg: &MediaSegment) -> (f64, f64) {
    let b = &seg.data;
    let moof = children(b, 0, b.len())[0];
    let mut out = (f64::NAN, f64::NAN);
    for t in children(b, moof.start + 8, moof.start + moof.size)
        .iter()
        .filter(|t| &t.kind == b"traf")
    {
        let traf = parse_traf(b, moof, *t);
        let mut dts = traf.tfdt as i64;
        let mut end = i64::MIN;
        for (_, dur, _, cts, _) in &traf.samples {
            end = end.max(dts + i64::from(*cts) + i64::from(*dur));
            dts += i64::from(*dur);
        }
        match traf.track_id {
            1 => out.0 = end as f64 / 90_000.0,
            _ => out.1 = end as f64 / 48_000.0,
        }
    }
    out
}

#[test]
fn after_a_seek_the_second_fragment_waits_only_for_what_the_browser_plays_on() {
    // After a seek, the browser plays on once it holds two frames past the target and, in
    // Chromium, 0.2 s of audio past it (fragmenter::SEEK_SECOND_VIDEO_PAST_SECONDS). The
    // second fragment must come out once the film read holds that (plus the timeline's
    // look-ahead of 4 frames), not wait for the video to 0.25 s past the target and the
    // audio to the end of its last reordered frame: in the player, each 0.1 s of film more
    // is a quarter of a piece more to download before the video plays.
    let packets = synthetic(4);
    let half = packets.len() / 2;
    let key = key_from_middle(&packets);
    let target = key + 200;
    let target_s = target as f64 / 1000.0;
    let mut r = Remuxer::new(&tracks()).unwrap();
    r.reset_for(Some((Timestamp(target), TimeBase::MILLIS)));
    let mut segs = Vec::new();
    // The latest audio time read when the second fragment came out.
    let mut read_to = None;
    for p in packets[half..].iter().cloned() {
        let at = (p.track_id == 2).then_some(p.pts.0 as f64 / 1000.0);
        segs.extend(r.push(p).unwrap());
        if let Some(at) = at {
            if segs.len() < 2 {
                read_to = Some(at);
            }
        }
        if segs.len() >= 2 {
            break;
        }
    }
    assert!(segs.len() >= 2, "no second fragment after the seek");
    let (video_end, audio_end) = ends(&segs[1]);
    assert!(
        video_end >= target_s + fragmenter::SEEK_SECOND_VIDEO_PAST_SECONDS,
        "second fragment's video ends at {video_end} (target {target_s})"
    );
    assert!(
        audio_end >= target_s + fragmenter::FIRST_SECONDS,
        "second fragment's audio ends at {audio_end} (target {target_s})"
    );
    // The film read by then: audio to at most 0.1 s past what the fragment needs (the
    // video's look-ahead of 4 frames at 25 fps comes to 0.16 s past its 0.1 s, and the
    // synthetic file interleaves audio by the video's presentation times).
    let read_to = read_to.unwrap();
    assert!(
        read_to < target_s + fragmenter::FIRST_SECONDS + 0.1,
        "the second fragment came out once audio to {read_to} s was read (target {target_s})"
    );
}

#[test]
fn whole_output_reads_back_with_the_mp4_crate() {
    let packets = synthetic(2);
    let n_video = packets.iter().filter(|p| p.track_id == 1).count() as u32 - 2;
    let n_audio = packets.iter().filter(|p| p.track_id == 2).count() as u32;
    let (_, mut file, segs) = remux(packets);
    for s in &segs {
        file.extend_from_slice(&s.data);
    }
    let size = file.len() as u64;
    let mut r = mp4::Mp4Reader::read_header(std::io::Cursor::new(file), size).unwrap();
    assert!(r.is_fragmented());
    assert_eq!(r.sample_count(1).unwrap(), n_video);
    assert_eq!(r.sample_count(2).unwrap(), n_audio);
    let first = r.read_sample(1, 1).unwrap().unwrap();
    assert!(first.is_sync);
    // (mp4 0.14 ignores trun data_offset / default-base-is-moof when locating sample bytes,
    // so the bytes are checked by our own reader in `fragments_parse_back_...` instead.)
    let second = r.read_sample(1, 2).unwrap().unwrap();
    assert!(!second.is_sync);
}

#[test]
fn video_only_and_audio_only_streams() {
    let packets = synthetic(2);
    let mut v = Remuxer::new(&[h264_track(1)]).unwrap();
    let mut a = Remuxer::new(&[aac_track(2)]).unwrap();
    let (mut nv, mut na) = (0, 0);
    for p in packets {
        nv += v.push(p.clone()).unwrap().is_some() as u32;
        na += a.push(p).unwrap().is_some() as u32;
    }
    nv += v.finish().unwrap().is_some() as u32;
    na += a.finish().unwrap().is_some() as u32;
    assert!(nv >= 2 && na >= 2, "{nv} {na}");
    assert_eq!(v.packets(), 50);
    let _ = Duration(0);
}

/// A video track of `codec` with no configuration record (as in WebM from ffmpeg).
fn bare_video(codec: Codec, codec_id: &str) -> Track {
    Track {
        codec,
        codec_id: codec_id.into(),
        codec_private: Vec::new(),
        video: Some(crate::packet::VideoInfo {
            width: 160,
            height: 120,
            ..Default::default()
        }),
        ..h264_track(1)
    }
}

fn key(data: Vec<u8>) -> Packet {
    Packet {
        track_id: 1,
        pts: Timestamp(0),
        dts: None,
        dur: None,
        keyframe: true,
        pos: 0,
        data,
    }
}

#[test]
fn av1_without_av1c_takes_the_sequence_header_of_the_first_key_frame() {
    // Temporal delimiter OBU, then the sequence header libaom writes for 4:2:0 8-bit.
    let seq = [
        0x0A, 0x0A, 0x00, 0x00, 0x00, 0x03, 0xB4, 0xFF, 0x73, 0x6B, 0xE4, 0x01,
    ];
    let mut frame = vec![0x12, 0x00];
    frame.extend_from_slice(&seq);
    let mut r = Remuxer::new(&[bare_video(Codec::Av1, "V_AV1")]).unwrap();
    assert!(r.wants_packets_before_init());
    r.push(key(frame)).unwrap();
    assert!(!r.wants_packets_before_init());
    assert_eq!(r.mime(), "video/mp4; codecs=\"av01.0.00M.08\"");
    let init = r.init_segment();
    let at = init.windows(4).position(|w| w == b"av1C").unwrap();
    let size = be32(&init, at - 4) as usize;
    assert_eq!(
        &init[at + 4..at - 4 + size],
        &[[0x81, 0x00, 0x0C, 0x00].as_slice(), &seq].concat()[..]
    );
}

#[test]
fn vp9_without_vpcc_takes_profile_and_depth_from_the_first_key_frame() {
    // Profile 2 key frame header: marker, profile bits (0, 1), show_existing 0, key, show,
    // error_res 0, sync code, 10-bit, BT.709, limited range, 160x120.
    let mut bits: Vec<u8> = vec![1, 0, 0, 1, 0, 0, 1, 0];
    for b in [0x49u8, 0x83, 0x42] {
        bits.extend((0..8).rev().map(|i| (b >> i) & 1));
    }
    bits.extend([0, 0, 1, 0, 0]);
    for v in [159u16, 119] {
        bits.extend((0..16).rev().map(|i| ((v >> i) & 1) as u8));
    }
    bits.resize(bits.len().div_ceil(8) * 8, 0);
    let frame: Vec<u8> = bits
        .chunks(8)
        .map(|c| c.iter().fold(0u8, |a, b| a << 1 | b))
        .collect();
    let mut r = Remuxer::new(&[bare_video(Codec::Vp9, "V_VP9")]).unwrap();
    assert_eq!(r.mime(), "video/mp4; codecs=\"vp09.00.10.08\"", "assumed");
    r.push(key(frame)).unwrap();
    assert_eq!(r.mime(), "video/mp4; codecs=\"vp09.02.10.10\"");
    let init = r.init_segment();
    let at = init.windows(4).position(|w| w == b"vpcC").unwrap();
    assert_eq!(
        &init[at + 8..at + 11],
        &[2, 10, 0xA2],
        "profile, level, 10-bit 4:2:0"
    );
}

#[test]
fn opus_pre_skip_becomes_an_edit_list_and_times_start_at_zero() {
    let head = crate::codec::opus::OpusHead {
        channels: 2,
        pre_skip: 312,
        input_sample_rate: 48000,
        output_gain: 0,
        mapping_family: 0,
        mapping: Vec::new(),
    };
    let opus = Track {
        codec: Codec::Opus,
        codec_id: "A_OPUS".into(),
        codec_private: head.to_bytes(),
        time_base: TimeBase::new(1, 48000),
        ..aac_track(2)
    };
    let mut r = Remuxer::new(&[opus]).unwrap();
    assert_eq!(r.mime(), "audio/mp4; codecs=\"opus\"");
    // Presentation times from the demuxer start at -pre_skip.
    for i in 0..3 {
        let p = Packet {
            track_id: 2,
            pts: Timestamp(-312 + i * 960),
            keyframe: true,
            data: vec![0xFC, i as u8],
            ..key(Vec::new())
        };
        r.push(p).unwrap();
    }
    assert!(!r.wants_packets_before_init());
    let init = r.init_segment();
    let elst = init.windows(4).position(|w| w == b"elst").unwrap();
    assert_eq!(be32(&init, elst + 16), 312, "media_time = pre-skip");
    let seg = r.finish().unwrap().unwrap();
    let tfdt = seg.data.windows(4).position(|w| w == b"tfdt").unwrap();
    assert_eq!(
        &seg.data[tfdt + 8..tfdt + 16],
        &0u64.to_be_bytes(),
        "first decode time 0"
    );
}

#[test]
fn arbitrary_codec_configs_never_panic() {
    let mut x: u32 = 99;
    let mut next = || {
        x = x.wrapping_mul(1664525).wrapping_add(1013904223);
        x
    };
    let codecs = [
        (Codec::Hevc, TrackKind::Video),
        (Codec::Vp9, TrackKind::Video),
        (Codec::Av1, TrackKind::Video),
        (Codec::Opus, TrackKind::Audio),
        (Codec::Flac, TrackKind::Audio),
        (Codec::Mp3, TrackKind::Audio),
    ];
    for round in 0..3000 {
        let (codec, kind) = codecs[round % codecs.len()].clone();
        let len = (next() % 64) as usize;
        let mut private: Vec<u8> = (0..len).map(|_| (next() >> 24) as u8).collect();
        if round % 4 == 0 && private.len() > 8 {
            private[..8].copy_from_slice(b"OpusHead");
        }
        let t = Track {
            codec,
            kind,
            codec_private: private,
            ..h264_track(1)
        };
        if let Ok(mut r) = Remuxer::new(&[t]) {
            let _ = r.mime();
            let data: Vec<u8> = (0..(next() % 40)).map(|_| (next() >> 16) as u8).collect();
            let _ = r.push(key(data));
            let _ = r.init_segment();
            let _ = r.finish();
        }
    }
}

#[test]
fn explicit_selection_carries_exactly_the_chosen_tracks() {
    let mut second = aac_track(4);
    second.default = false;
    second.codec_private = vec![0x12, 0x10]; // 44.1 kHz
    let mut all = tracks();
    all.push(second);
    // The non-default audio track, chosen by id.
    let r = Remuxer::with_selection(&all, Pick::Default, Pick::Track(4)).unwrap();
    let ids: Vec<u32> = r.carried_tracks().iter().map(|t| t.id).collect();
    assert_eq!(ids, [1, 4]);
    // Video without sound: the audio packets are dropped.
    let mut r = Remuxer::with_selection(&all, Pick::Track(1), Pick::Nothing).unwrap();
    assert_eq!(r.mime(), "video/mp4; codecs=\"avc1.64001f\"");
    for p in synthetic(2) {
        r.push(p).unwrap();
    }
    r.finish().unwrap();
    assert_eq!(r.packets(), 50, "only the 50 video frames are carried");
    // A track that cannot be carried, or does not exist, is refused in plain words.
    all.push(other_track(5, TrackKind::Audio, "A_AC3"));
    let err = Remuxer::with_selection(&all, Pick::Default, Pick::Track(5)).err().unwrap();
    assert!(err.to_string().contains("AC-3 (A_AC3)"), "{err}");
    let err = Remuxer::with_selection(&all, Pick::Default, Pick::Track(9)).err().unwrap();
    assert!(err.to_string().contains("no audio track 9"), "{err}");
    assert!(Remuxer::with_selection(&all, Pick::Nothing, Pick::Nothing).is_err());
    // The default stays what `riptide-remux` always did.
    assert_eq!(Remuxer::new(&all).unwrap().carried_tracks()[1].id, 2);
}

/// MP3 in MP4 named as the browser takes it (Firefox: `mp3`): the MSE type says that name,
/// the init segment is the one `mp4a.6B` gets (same bytes), and other codecs ignore it.
#[test]
fn mp3_in_mp4_is_named_as_the_browser_takes_it() {
    let mp3 = Track {
        codec: Codec::Mp3,
        codec_id: "A_MPEG/L3".into(),
        codec_private: Vec::new(),
        audio: Some(crate::packet::AudioInfo { sample_rate: 48_000, channels: 2 }),
        ..aac_track(2)
    };
    let all = [h264_track(1), mp3];
    let named = Remuxer::with_carriage(&all, Pick::Default, Pick::Default, AudioCarriage::Mp3InMp4As("mp3")).unwrap();
    let usual = Remuxer::with_carriage(&all, Pick::Default, Pick::Default, AudioCarriage::InMp4).unwrap();
    assert_eq!(named.mime(), "video/mp4; codecs=\"avc1.64001f,mp3\"");
    assert_eq!(usual.mime(), "video/mp4; codecs=\"avc1.64001f,mp4a.6B\"");
    assert_eq!(named.apart_mime(), None);
    assert_eq!(named.init_segment(), usual.init_segment());
    let aac = [h264_track(1), aac_track(2)];
    let r = Remuxer::with_carriage(&aac, Pick::Default, Pick::Default, AudioCarriage::Mp3InMp4As("mp3")).unwrap();
    assert_eq!(r.mime(), "video/mp4; codecs=\"avc1.64001f,mp4a.40.2\"");
}

/// MP3 carried apart: the init segment and the `moof`s hold only the video; the MP3 frames
/// come as gapless runs whose bytes are the packets' in order and whose start times are the
/// packets' presentation times.
#[test]
fn mp3_apart_comes_as_raw_runs_beside_a_video_only_mp4() {
    let mp3 = Track {
        codec: Codec::Mp3,
        codec_id: "A_MPEG/L3".into(),
        codec_private: Vec::new(),
        audio: Some(crate::packet::AudioInfo { sample_rate: 48_000, channels: 2 }),
        ..aac_track(2)
    };
    let all = [h264_track(1), mp3];
    let mut r = Remuxer::with_carriage(&all, Pick::Default, Pick::Default, AudioCarriage::Apart).unwrap();
    assert_eq!(r.mime(), "video/mp4; codecs=\"avc1.64001f\"");
    assert_eq!(r.apart_mime(), Some("audio/mpeg"));
    assert!(!r.wants_packets_before_init());
    let init = r.init_segment();
    let moov = children(&init, 0, init.len()).into_iter().find(|b| &b.kind == b"moov").unwrap();
    let traks = children(&init, moov.start + 8, moov.start + moov.size)
        .into_iter()
        .filter(|b| &b.kind == b"trak")
        .count();
    assert_eq!(traks, 1, "only the video in the init segment");
    // Video from the synthetic stream; MP3 frames of 1152 samples (24 ms) in ms.
    let video: Vec<Packet> = synthetic(3).into_iter().filter(|p| p.track_id == 1).collect();
    let mut frames = Vec::new();
    let mut packets = Vec::new();
    let (mut vi, mut a) = (video.into_iter().peekable(), 0i64);
    loop {
        let at = a * 24;
        match vi.peek() {
            Some(v) if v.pts.0 < at => packets.push(vi.next().unwrap()),
            _ if at < 3000 => {
                let data = vec![0xff, 0xfb, (a >> 8) as u8, a as u8];
                frames.push(data.clone());
                packets.push(Packet { track_id: 2, pts: Timestamp(at), dts: None, dur: None, keyframe: true, pos: 0, data });
                a += 1;
            }
            Some(_) => packets.push(vi.next().unwrap()),
            None => break,
        }
    }
    let mut segs = Vec::new();
    for p in packets {
        segs.extend(r.push(p).unwrap());
    }
    segs.extend(r.finish().unwrap());
    let mut bytes = Vec::new();
    let mut next_start = 0i64;
    for seg in &segs {
        for m in children(&seg.data, 0, seg.data.len()).into_iter().filter(|b| &b.kind == b"moof") {
            for t in children(&seg.data, m.start + 8, m.start + m.size).into_iter().filter(|b| &b.kind == b"traf") {
                assert_eq!(parse_traf(&seg.data, m, t).track_id, 1, "only video in the moofs");
            }
        }
        for run in &seg.audio_apart {
            assert_eq!(run.time_base, TimeBase::new(1, 48_000));
            assert_eq!(run.start.0, next_start, "runs follow each other without gaps");
            // The run starts with the frame whose time it says.
            let i = (run.start.0 / 1152) as usize;
            assert_eq!(&run.data[..4], &frames[i][..]);
            assert_eq!(run.end.0 - run.start.0, (run.data.len() / 4) as i64 * 1152);
            next_start = run.end.0;
            bytes.extend_from_slice(&run.data);
        }
    }
    assert!(segs.iter().filter(|s| !s.audio_apart.is_empty()).count() > 1, "runs come with the fragments");
    assert_eq!(bytes, frames.concat(), "every frame, in order");
}

/// The pts (ms) of the first video key frame in the second half of `packets`.
fn key_from_middle(packets: &[Packet]) -> i64 {
    packets[packets.len() / 2..]
        .iter()
        .find(|p| p.track_id == 1 && p.keyframe)
        .unwrap()
        .pts
        .0
}

/// The video track's `traf` (track 1) of a segment's `moof`.
fn video_traf(seg: &MediaSegment) -> Traf {
    let b = &seg.data;
    let moof = children(b, 0, b.len())[0];
    let trafs = children(b, moof.start + 8, moof.start + moof.size);
    trafs
        .iter()
        .filter(|t| &t.kind == b"traf")
        .map(|t| parse_traf(b, moof, *t))
        .find(|t| t.track_id == 1)
        .unwrap()
}

/// The video track's samples of a segment: (decode time, composition offset, duration, data).
fn video_samples(seg: &MediaSegment) -> Vec<(u64, i32, u32, Vec<u8>)> {
    let video = video_traf(seg);
    let mut dts = video.tfdt;
    let mut out = Vec::new();
    for (_, dur, _, cts, data) in video.samples {
        out.push((dts, cts, dur, data));
        dts += u64::from(dur);
    }
    out
}

#[test]
fn after_a_seek_unreferenced_frames_before_the_target_are_left_out_and_decode_times_kept() {
    // The synthetic film with real H.264 NAL headers (4-byte lengths, as the avcC says), as
    // x264 writes 2 B-frames with its default B-pyramid: I and P frames and the first B of
    // each pair are referenced (nal_ref_idc 3, 2, 1); the second B is not (0) in
    // `film(false)`, and is in `film(true)`.
    let film = |b_referenced: bool| -> Vec<Packet> {
        let mut packets = synthetic(4);
        for p in packets.iter_mut().filter(|p| p.track_id == 1) {
            let d = (p.pts.0 - 100).rem_euclid(400) / 40;
            let header = if p.keyframe {
                0x65
            } else if d % 3 == 0 {
                0x41
            } else if d % 3 == 1 || b_referenced {
                0x21
            } else {
                0x01
            };
            p.data = vec![0, 0, 0, 3, header, (p.pts.0 >> 8) as u8, p.pts.0 as u8];
        }
        packets
    };
    let half = film(false).len() / 2;
    let key = key_from_middle(&film(false));
    let target = key + 300;
    let run = |b_referenced: bool| {
        let mut r = Remuxer::new(&tracks()).unwrap();
        r.reset_for(Some((Timestamp(target), TimeBase::MILLIS)));
        let mut segs = Vec::new();
        for p in film(b_referenced)[half..].iter().cloned() {
            segs.extend(r.push(p).unwrap());
        }
        segs
    };
    let (dropped, all) = (run(false), run(true));
    let (first, first_all) = (video_samples(&dropped[0]), video_samples(&all[0]));
    let pts_ms = |s: &(u64, i32, u32, Vec<u8>)| i64::from(s.3[5]) << 8 | i64::from(s.3[6]);
    // Left out: exactly the unreferenced frames that end 0.1 s or more before the target.
    let margin_ms = (fragmenter::UNREFERENCED_MARGIN_SECONDS * 1000.0) as i64;
    let left_out: Vec<i64> = first_all
        .iter()
        .filter(|s| !first.iter().any(|k| k.3[5..] == s.3[5..]))
        .map(pts_ms)
        .collect();
    let expected: Vec<i64> = first_all
        .iter()
        .filter(|s| {
            let d = (pts_ms(s) - 100).rem_euclid(400) / 40;
            d % 3 == 2 && pts_ms(s) + 40 <= target - margin_ms
        })
        .map(pts_ms)
        .collect();
    assert!(!expected.is_empty(), "the test must leave frames out");
    assert_eq!(left_out, expected, "frames left out (pts in ms); target {target}");
    // Every frame kept has the decode time and composition offset it has when nothing is
    // left out, and the fragment ends at the same decode time.
    for k in &first {
        let same = first_all.iter().find(|s| s.3[5..] == k.3[5..]).unwrap();
        assert_eq!((k.0, k.1), (same.0, same.1), "frame at {} ms", pts_ms(k));
    }
    let end = |v: &[(u64, i32, u32, Vec<u8>)]| v.last().map(|s| s.0 + u64::from(s.2));
    assert_eq!(end(&first), end(&first_all));
    // From the target on, and in every later fragment, nothing is left out.
    assert!(first_all
        .iter()
        .filter(|s| pts_ms(s) >= target - margin_ms)
        .all(|s| first.iter().any(|k| k.3[5..] == s.3[5..])));
    assert_eq!(dropped.len(), all.len());
    for (a, b) in dropped.iter().zip(&all).skip(1) {
        assert_eq!(video_samples(a).len(), video_samples(b).len());
    }
    // Not at a start (no seek target): the same film keeps every frame.
    let mut r = Remuxer::new(&tracks()).unwrap();
    let mut segs = Vec::new();
    for p in film(false)[half..].iter().cloned() {
        segs.extend(r.push(p).unwrap());
    }
    let mut r = Remuxer::new(&tracks()).unwrap();
    let mut segs_ref = Vec::new();
    for p in film(true)[half..].iter().cloned() {
        segs_ref.extend(r.push(p).unwrap());
    }
    assert_eq!(video_samples(&segs[0]).len(), video_samples(&segs_ref[0]).len());
}
