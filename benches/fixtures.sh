#!/usr/bin/env bash
# Makes the benchmark films with ffmpeg (once; cached) and prints the directory holding them.
#
# usage: bash benches/fixtures.sh full|smoke
#   full:  1080p30, 90 s, H.264 (libx264 -preset ultrafast, 2 B-frames, GOP 2 s, ~20 Mbit/s:
#          about 230 MB per file) from ffmpeg's synthetic testsrc2 + a sine tone.
#   smoke: the same layout at 320x180 for 6 s (a few hundred KB), for CI.
#   sd:    only film.mkv and film.mp4, 854x480 for 10 min at ~1.5 Mbit/s (GOP 2 s, ~120 MB
#          each): the film of issue 17's seek measurement, for the page bench's seek step
#          with RIPTIDE_BENCH_SEEK_PIECE=262144 (benches/RESULTS.md).
# Files (each the same video stream, muxed with -c copy, index at the END as ffmpeg writes it):
#   film.mkv  H.264 + AAC   (Cues after the clusters)
#   film.mp4  H.264 + AAC   (moov after mdat: no -movflags +faststart)
#   film.avi  H.264 + MP3   (idx1 after the movi list)
#   film-ac3.mkv  film.mkv's video + AC-3 5.1 at 640 kbit/s (a tone per channel): the audio the
#             browser cannot decode, so the page transcodes it to FLAC (startup row of its own)
#   long.mkv  a long low-bitrate film for the tab-memory step: 426x240, 15 fps, H.264
#             ~250 kbit/s + AAC 64 kbit/s, 30 min (full; about 70 MB) or 60 s (smoke)
#   long.mp4  the same streams in MP4 (moov first), played by <video src> as the reference
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-full}"
case "$mode" in
  full)  size=1920x1080; secs=90; vbits=(-b:v 20M -maxrate 24M -bufsize 20M); long_secs=1800 ;;
  smoke) size=320x180;   secs=6;  vbits=(-b:v 600k); long_secs=60 ;;
  sd)    size=854x480;    secs=600; vbits=(-b:v 1500k -maxrate 2M -bufsize 2M) ;;
  *) echo "fixtures.sh: mode must be 'full', 'smoke' or 'sd', not '$mode'" >&2; exit 2 ;;
esac
dir="${CARGO_TARGET_DIR:-target}/bench-fixtures/$mode"
mkdir -p "$dir"
stamp="$dir/.done-v1"
ff() { nice ffmpeg -nostdin -v error -y "$@"; }
# Video and audio are encoded apart and muxed with -c copy, as below: muxed in one pass,
# ffmpeg moves every track 21 ms later (the AAC priming), and no key frame is then on a
# multiple of the GOP where seek.mjs's "key" jumps go.
if [ "$mode" = sd ]; then
  if [ ! -f "$dir/film.mp4" ]; then
    echo "making the sd fixture in $dir (ffmpeg, once)" >&2
    ff -f lavfi -i "testsrc2=size=$size:rate=30" -t "$secs" -c:v libx264 -preset veryfast \
       -bf 2 -g 60 "${vbits[@]}" -pix_fmt yuv420p "$dir/video.mkv"
    ff -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000" -t "$secs" \
       -c:a aac -b:a 128k "$dir/audio-aac.mka"
    ff -i "$dir/video.mkv" -i "$dir/audio-aac.mka" -map 0:v -map 1:a -c copy "$dir/film.mkv"
    ff -i "$dir/video.mkv" -i "$dir/audio-aac.mka" -map 0:v -map 1:a -c copy "$dir/partial.mp4"
    mv "$dir/partial.mp4" "$dir/film.mp4"
    rm -f "$dir/video.mkv" "$dir/audio-aac.mka"
  fi
  echo "$dir"; exit 0
fi
if [ ! -f "$dir/long.mkv" ]; then
  echo "making the long $mode fixture in $dir (ffmpeg, once)" >&2
  ff -f lavfi -i "testsrc2=size=426x240:rate=15" \
     -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000" -t "$long_secs" \
     -c:v libx264 -preset ultrafast -g 30 -b:v 250k -maxrate 300k -bufsize 500k -pix_fmt yuv420p \
     -c:a aac -b:a 64k "$dir/partial-long.mkv"
  mv "$dir/partial-long.mkv" "$dir/long.mkv"
fi
if [ ! -f "$dir/long.mp4" ]; then
  # The same streams in MP4 (moov first), for the <video src> reference of the memory step.
  ff -i "$dir/long.mkv" -c copy -movflags +faststart "$dir/partial-long.mp4"
  mv "$dir/partial-long.mp4" "$dir/long.mp4"
fi
ac3_film() {
  # Made from film.mkv's video so that caches from before this row need no new video encode.
  ff -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000" -t "$secs" \
     -filter_complex "[0]asplit=6[a][b][c][d][e][f];[a][b][c][d][e][f]join=inputs=6:channel_layout=5.1" \
     -c:a ac3 -b:a 640k "$dir/audio-ac3.mka"
  ff -i "$dir/film.mkv" -i "$dir/audio-ac3.mka" -map 0:v -map 1:a -c copy "$dir/partial-ac3.mkv"
  mv "$dir/partial-ac3.mkv" "$dir/film-ac3.mkv"
  rm -f "$dir/audio-ac3.mka"
}
if [ -f "$stamp" ] && [ -f "$dir/film.mkv" ] && [ -f "$dir/film.mp4" ] && [ -f "$dir/film.avi" ]; then
  [ -f "$dir/film-ac3.mkv" ] || ac3_film
  echo "$dir"; exit 0
fi
echo "making $mode fixtures in $dir (ffmpeg, once)" >&2
ff -f lavfi -i "testsrc2=size=$size:rate=30" -t "$secs" -c:v libx264 -preset ultrafast \
   -bf 2 -g 60 "${vbits[@]}" -pix_fmt yuv420p "$dir/video.mkv"
ff -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000" -t "$secs" \
   -c:a aac -b:a 128k "$dir/audio-aac.mka"
ff -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000" -t "$secs" \
   -c:a libmp3lame -b:a 128k "$dir/audio-mp3.mka"
ff -i "$dir/video.mkv" -i "$dir/audio-aac.mka" -map 0:v -map 1:a -c copy "$dir/film.mkv"
ff -i "$dir/video.mkv" -i "$dir/audio-aac.mka" -map 0:v -map 1:a -c copy "$dir/film.mp4"
ff -i "$dir/video.mkv" -i "$dir/audio-mp3.mka" -map 0:v -map 1:a -c copy -bsf:v h264_mp4toannexb "$dir/film.avi"
rm -f "$dir/video.mkv" "$dir/audio-aac.mka" "$dir/audio-mp3.mka"
ac3_film
touch "$stamp"
echo "$dir"
