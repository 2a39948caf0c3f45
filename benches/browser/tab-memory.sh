#!/usr/bin/env bash
# Tab memory of the three players on one film, same Chromium, same run (issue 17): Riptide's
# engine on FILM.mkv, a plain <video src> on FILM.mp4, and hls.js on fMP4 HLS that ffmpeg cuts
# from FILM.mp4, all served by playback.mjs itself over loopback (no torrent), RUNS rounds with
# the players taking turns, at --rate 4. Prints one JSON line per run into OUT and the medians.
# benches/RESULTS.md section 14 was measured with it.
#
# usage: bash benches/browser/tab-memory.sh FILM.mkv FILM.mp4 OUT [RUNS=3] [RIPTIDE_QUERY...]
#   RIPTIDE_QUERY: extra Riptide rows with the page's tuning, e.g. "budget=16777216".
# Needs www/pkg (scripts/build-wasm.sh) and node_modules/hls.js (npm ci), or RIPTIDE_HLSJS.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 3 ] || { sed -n 7,9p "$0" >&2; exit 2; }
mkv=$1 mp4=$2 out=$3 runs=${4:-3}
shift $(( $# < 4 ? $# : 4 ))
mkdir -p "$out/hls"
[ -f "$out/hls/index.m3u8" ] || ffmpeg -nostdin -v error -y -i "$mp4" -c copy -f hls -hls_time 4 \
  -hls_playlist_type vod -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
  -hls_segment_filename "$out/hls/seg%03d.m4s" "$out/hls/index.m3u8"
play() { timeout 300 node benches/browser/playback.mjs x - --rate 4 --max-seconds 200 "$@"; }
for r in $(seq 1 "$runs"); do
  play --serve "$mp4" --reference > "$out/video-src-$r.json"
  play --serve "$mkv" > "$out/riptide-$r.json"
  i=0
  for q in "$@"; do
    i=$((i + 1))
    play --serve "$mkv" --query "$q" > "$out/riptide-q$i-$r.json"
  done
  play --hls "$out/hls" > "$out/hls.js-$r.json"
done
python3 - "$out" <<'EOF'
import collections, glob, json, re, statistics, sys
rows = collections.defaultdict(list)
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    d = json.load(open(f))
    s = d["samples"]
    if not s:
        print(f, "no samples:", d.get("error"))
        continue
    top = lambda k: max((x.get(k) or 0) for x in s)
    rows[re.sub(r"-\d+\.json$", "", f.split("/")[-1])].append(dict(
        peak=top("rendererPrivate") / 1e6, held=top("held"), ahead=top("ahead"), heap=top("heap") / 1e6,
        wasm=top("wasm") / 1e6, stalls=d.get("stalls"), stalled_ms=d.get("stalledMs"), error=d["error"]))
ref = statistics.median(x["peak"] for x in rows.get("video-src", [{"peak": float("nan")}]))
for k, v in rows.items():
    med = lambda key: statistics.median(x[key] for x in v)
    print(f"{k}: renderer peak {med('peak'):.0f} MB ({', '.join(f'{x:.0f}' for x in [r['peak'] for r in v])}), "
          f"{med('peak') / ref:.2f}x <video src>; held {med('held'):.1f} s, ahead {med('ahead'):.1f} s, "
          f"JS heap {med('heap'):.1f} MB, wasm {med('wasm'):.1f} MB; stalls {[r['stalls'] for r in v]} "
          f"({[r['stalled_ms'] for r in v]} ms); errors {[r['error'] for r in v if r['error']]}")
EOF
