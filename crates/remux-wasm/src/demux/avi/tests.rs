//! Unit tests of the AVI demuxer on files built here byte by byte (OpenDML multi-RIFF
//! layouts that ffmpeg only writes past 1 GB).
