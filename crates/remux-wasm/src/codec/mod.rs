//! Codec-level helpers: H.264 (avcC, Annex B, SPS), AAC (AudioSpecificConfig), and the MSE
//! codec strings built from them.
