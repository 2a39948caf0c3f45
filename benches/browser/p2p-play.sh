#!/usr/bin/env bash
# Viewers sharing pieces through the real player (issue 15 part 2): makes a film with ffmpeg
# (x264 + AAC in MKV, noise added so it keeps its bitrate), seeds it with `piece-server seed`
# on loopback, then runs tests/e2e/p2p-play.mjs for each viewer count with P2P on and, in the
# same run, off; then once with a corrupt viewer, and once with Chromium and Firefox viewers
# mixed. One JSON line per run (server egress per viewer from the server's own count, share
# of film bytes from peers, stalls, startup and seek).
#   bash benches/browser/p2p-play.sh [SECONDS=40] [COUNTS="1 3 6"] [ci|counts]
# `ci`: only 3 viewers with P2P on, the first corrupt, the second seeking, Firefox the third
# (the check scripts/test.sh runs; well under a minute). `counts`: only the viewer counts, on
# and off (no corrupt or Firefox runs).
# RIPTIDE_P2P_WWW: the page's folder to serve (default www; a copy of an older www/ measures
# a change before and after on the same machine).
# Needs the piece-server binary ($CARGO_TARGET_DIR/debug/piece-server) and www/pkg.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-40}
counts=${2:-"1 3 6"}
mode=${3:-bench}
bin=${CARGO_TARGET_DIR:-target}/debug/piece-server
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; [ "${ok:-0}" = 1 ] || cat "$work/out" "$work/err" >&2; rm -rf "$work"' EXIT
ffmpeg -loglevel error -f lavfi -i "testsrc2=s=640x360:r=25:d=$secs,noise=alls=30:allf=t" \
  -f lavfi -i "sine=f=440:d=$secs" -c:v libx264 -preset ultrafast -g 50 -b:v 2M -maxrate 2M \
  -bufsize 2M -c:a aac -b:a 96k "$work/film.mkv"
"$bin" seed "$work/film.mkv" --piece-length 262144 --listen 127.0.0.1:0 --www-dir "${RIPTIDE_P2P_WWW:-www}" \
  --data-dir "$work/data" --no-dht --no-trackers --peer-port 0 > "$work/out" 2> "$work/err" &
server=$!
for _ in $(seq 100); do [ "$(wc -l < "$work/out")" -ge 2 ] && break; sleep 0.1; done
base=$(sed -n 2p "$work/out" | sed -E 's#^(http://[^/]+)/.*#\1#')
magnet=$(sed -n 1p "$work/out" | grep -oE 'magnet:\?[^ ]+')
hash=$(sed -n 1p "$work/out" | sed -E 's/.*btih:([0-9a-fA-F]{40}).*/\1/')
# A run that fails says why on stderr; the bench goes on to the next and fails at the end.
fails=0
# After each run, the bytes the server process wrote (`wchar` of /proc/PID/io: its sockets,
# plus a little logging), a count apart from its own `served_bytes`.
wchar() { awk '/^wchar/ {print $2}' "/proc/$server/io"; }
run() {
  local w0; w0=$(wchar)
  node tests/e2e/p2p-play.mjs --base "$base" --magnet "$magnet" --hash "$hash" "$@" || fails=$((fails + 1))
  echo "{\"server_wchar\": $(($(wchar) - w0))}"
}
if [ "$mode" = ci ]; then
  run --viewers 3 --p2p 1 --corrupt 1 --engines chromium,chromium,firefox --seek-viewer 2
else
  for n in $counts; do
    for p in 1 0; do run --viewers "$n" --p2p "$p"; done
  done
  if [ "$mode" != counts ]; then
    run --viewers 3 --p2p 1 --corrupt 1
    run --viewers 3 --p2p 1 --engines chromium,firefox,chromium
    run --viewers 3 --p2p 0 --engines chromium,firefox,chromium
  fi
fi
ok=1
[ "$fails" = 0 ] || { echo "$fails run(s) failed" >&2; exit 1; }
