#!/usr/bin/env bash
# Viewers sharing pieces (issue 15 part 2), side by side with P2P off in the same run: seeds a
# random file with `piece-server seed` on loopback, then runs tests/e2e/p2p.mjs for each
# viewer count with P2P on and off, and once with a corrupt viewer. Prints one JSON line per
# run (per viewer: bytes from the server, from peers, bad pieces, dropped peers, stalls,
# bytes equal to the server's file).
#   bash benches/browser/p2p.sh [MiB=12] [viewer counts="1 3"]
# Needs the piece-server binary: $CARGO_TARGET_DIR/debug/piece-server (cargo build -p piece-server).
set -euo pipefail
cd "$(dirname "$0")/../.."
mib=${1:-12}
counts=${2:-"1 3"}
bin=${CARGO_TARGET_DIR:-target}/debug/piece-server
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; cat "$work/out" "$work/err" >&2; rm -rf "$work"' EXIT
head -c "$((mib * 1024 * 1024))" /dev/urandom > "$work/film.bin"
"$bin" seed "$work/film.bin" --piece-length 262144 --listen 127.0.0.1:0 --www-dir www \
  --data-dir "$work/data" --no-dht --no-trackers --peer-port 0 > "$work/out" 2> "$work/err" &
server=$!
for _ in $(seq 100); do [ "$(wc -l < "$work/out")" -ge 2 ] && break; sleep 0.1; done
base=$(sed -n 2p "$work/out" | sed -E 's#^(http://[^/]+)/.*#\1#')
hash=$(sed -n 1p "$work/out" | sed -E 's/.*btih:([0-9a-fA-F]{40}).*/\1/')
for n in $counts; do
  for p in 1 0; do
    node tests/e2e/p2p.mjs --base "$base" --hash "$hash" --viewers "$n" --p2p "$p"
  done
done
node tests/e2e/p2p.mjs --base "$base" --hash "$hash" --viewers 2 --p2p 1 --corrupt 1
