//! The scheduler's video-encode step: decoded Xvid frames ([`Step::Frames`]) go to WebCodecs
//! `VideoEncoder` and its chunks back into the pipeline, between demuxing and appending.
//!
//! Back-pressure: [`VideoEncoder::encode_all`] waits while more than [`MAX_QUEUED`] frames are
//! queued in the encoder, so the decoder, and with it the download, never runs far ahead of
//! the encoder. A seek flushes the encoder and drops what it still gives for the old place
//! (the pipeline's decoder starts again at the key frame the demuxer lands on).
//!
//! [`Step::Frames`]: crate::pipeline::Step::Frames

use super::video_encoder::VideoEncoder;
use crate::error::{ErrorCode, Problem};
use crate::pipeline::{Pipeline, VideoFrames};

/// Frames queued in the encoder before decoding waits: 4 (docs/DESIGN.md "Xvid": the
/// encoder gives one chunk per frame a few frames behind).
pub const MAX_QUEUED: u32 = 4;

/// The encoder of one opened pipeline (opened with its first frames).
#[derive(Default)]
pub struct EncodeStage {
    encoder: Option<VideoEncoder>,
    /// Frames given to the encoder, for `status()`.
    pub frames_in: u64,
}

fn problem(message: String) -> Problem {
    Problem::fatal(ErrorCode::UnsupportedCodec, message)
}

impl EncodeStage {
    /// Encodes `frames` and gives the pipeline every chunk the encoder has output so far (all
    /// of them after the last frames of the stream).
    pub async fn encode(&mut self, pipeline: &mut Pipeline, frames: VideoFrames) -> Result<(), Problem> {
        if self.encoder.is_none() {
            let Some(first) = frames.frames.first() else {
                return Ok(());
            };
            let e = VideoEncoder::open(first.width, first.height, frames.frame_rate)
                .await
                .map_err(problem)?;
            self.encoder = Some(e);
        }
        let Some(e) = &self.encoder else { return Ok(()) };
        e.encode_all(&frames.frames, frames.time_base, MAX_QUEUED).await.map_err(problem)?;
        self.frames_in += frames.frames.len() as u64;
        if frames.last {
            e.flush().await.map_err(problem)?;
        }
        pipeline
            .push_encoded(e.take_chunks(), e.description())
            .map_err(Problem::from)
    }

    /// The most frames at once between the decoder and the encoder's output so far (0 before
    /// the encoder opens): see [`VideoEncoder::max_in_flight`].
    pub fn max_in_flight(&self) -> u64 {
        self.encoder.as_ref().map_or(0, VideoEncoder::max_in_flight)
    }

    /// After a seek: the encoder finishes the frames of the old place, which are dropped.
    pub async fn seeked(&mut self) {
        if let Some(e) = &self.encoder {
            let _ = e.flush().await;
            e.take_chunks();
        }
    }
}
