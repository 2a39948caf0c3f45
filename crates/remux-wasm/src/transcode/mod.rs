//! Transcoding for codecs the browser cannot play: decode in Rust, re-encode in the browser.
//!
//! [`mpeg4_video`] turns MPEG-4 Part 2 (Xvid, DivX 4/5) packets into I420 frames in display
//! order; [`video`] is the stage around it: the player hands the frames to WebCodecs
//! `VideoEncoder` and feeds the encoded chunks back as ordinary packets of an H.264 track
//! (docs/DESIGN.md, "Xvid").

pub mod mpeg4_video;
pub mod video;
