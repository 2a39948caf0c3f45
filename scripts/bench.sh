#!/usr/bin/env bash
# Runs Riptide's benchmark suite and rewrites benches/RESULTS.md and benches/results.png.
#
#   bash scripts/bench.sh           # full run: 1080p films of ~230 MB, several runs each (~15 min)
#   bash scripts/bench.sh --smoke   # tiny films, one run each (CI: proves every step still runs);
#                                   # writes target/bench-results/smoke/, never benches/RESULTS.md
#
# Installs what it needs, once (quiet when present): Debian's chromium, ffmpeg, nginx,
# python3-matplotlib and the seeders of step 8 (Transmission, qBittorrent, libtorrent's python
# binding, aria2), the wasm toolchain, npm's playwright-core and mediabunny. Fails if any
# step fails; slow figures are reported, never a failure. Steps and what they measure:
# benches/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=full
case "${1:-}" in
  "") ;;
  --smoke) mode=smoke ;;
  *) echo "usage: bash scripts/bench.sh [--smoke]" >&2; exit 2 ;;
esac

source scripts/lib/ensure.sh
ensure_apt chromium ffmpeg nginx python3-matplotlib \
  transmission-daemon transmission-cli qbittorrent-nox python3-libtorrent aria2
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm
# ensure_npm checks playwright-core only; the suite also needs mediabunny and hls.js.
if [ ! -d node_modules/mediabunny ] || [ ! -d node_modules/hls.js ]; then
  # Never through a symlinked (shared) node_modules: npm ci would empty the shared directory.
  [ -L node_modules ] && { echo "error: node_modules links to $(readlink node_modules), which lacks mediabunny or hls.js; run 'npm ci' there" >&2; exit 1; }
  echo "installing npm packages (mediabunny, hls.js)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent >/dev/null
fi

# Debian's python3 (where apt put matplotlib), not whatever python3 comes first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

target_dir="${CARGO_TARGET_DIR:-target}"
out="$target_dir/bench-results/$mode"
rm -rf "$out"
mkdir -p "$out"
step() { echo "== bench [$mode]: $* [at ${SECONDS} s]"; }

step "fixtures"
fixtures="$(bash benches/fixtures.sh "$mode")"

# Smoke runs reuse the dev-profile builds the tests already made; the full run measures
# release builds.
if [ "$mode" = smoke ]; then
  profile=(--profile dev); bin_dir="$target_dir/debug"; runs=1; warm=1
  export RIPTIDE_BENCH_SMOKE=1
else
  profile=(--profile release); bin_dir="$target_dir/release"; runs="${RIPTIDE_BENCH_RUNS:-3}"; warm="${RIPTIDE_BENCH_WARM_RUNS:-5}"
  unset RIPTIDE_BENCH_SMOKE
fi
export RIPTIDE_BENCH_FIXTURES="$fixtures" RIPTIDE_BENCH_RUNS="$runs"

step "build (wasm package, bench wasm entry point, piece-server, benches)"
bash scripts/build-wasm.sh
cargo build --quiet -p riptide-bench-wasm --release --target wasm32-unknown-unknown --lib
mkdir -p "$target_dir/bench-pkg"
"$WASM_BINDGEN" --target web --out-dir "$target_dir/bench-pkg" \
  "$target_dir/wasm32-unknown-unknown/release/riptide_bench_wasm.wasm"
# One cargo invocation builds every bench executable (cargo waits for locks other cargo
# processes on the machine hold; the steps then run the executables directly).
cargo build --quiet -p piece-server --bin piece-server "${profile[@]}"
bench_list="$out/bench-executables.txt"
cargo bench "${profile[@]}" --no-run --message-format=json \
    --bench remux --bench startup --bench server --bench seek --bench page 2>"$out/bench-build.log" \
  | "$py" -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and "bench" in m["target"]["kind"]:
        print(m["target"]["name"], m["executable"])' > "$bench_list" \
  || { cat "$out/bench-build.log"; exit 1; }
bench_bin() {
  local p; p=$(awk -v n="$1" '$1 == n {print $2}' "$bench_list")
  [ -x "$p" ] || { echo "bench.sh: the '$1' bench was not built (see $out/bench-build.log)" >&2; exit 1; }
  echo "$p"
}

step "1. native remux throughput (criterion): riptide vs ffmpeg -c copy"
if ! CRITERION_HOME="$out/criterion" "$(bench_bin remux)" --bench >"$out/remux-native.log" 2>&1; then
  cat "$out/remux-native.log"; exit 1
fi
grep -E '^remux-|time:|thrpt:|cannot' "$out/remux-native.log" || true
test -f "$out/criterion/remux-native-meta.json"

step "3. startup (magnet -> first frame), headless Chromium"
RIPTIDE_BENCH_OUT="$out/startup.json" "$(bench_bin startup)"

step "2. in-browser remux: remux-wasm vs mediabunny"
node benches/browser/remux.mjs "$fixtures" "$target_dir/bench-pkg" --warm-runs "$warm" > "$out/remux-browser.json"

step "4. seek (remux engine): bytes and range requests per seek"
RIPTIDE_BENCH_OUT="$out/seek.json" "$(bench_bin seek)"

step "4+5. seek -> playing in the page, and tab memory over a long playback, headless Chromium"
RIPTIDE_BENCH_OUT="$out/page-seek.json" "$(bench_bin page)"

step "6. server throughput: piece-server vs nginx"
RIPTIDE_BENCH_OUT="$out/server.json" PIECE_SERVER_BIN="$bin_dir/piece-server" NGINX_BIN=/usr/sbin/nginx \
  "$(bench_bin server)"

step "7. bundle sizes"
"$py" benches/bundle.py "$out/bundle.json"

step "8. seeders: Transmission, qBittorrent, libtorrent, aria2 -> piece-server vs libtorrent"
# Debian's python3: python3-libtorrent is built for it.
PIECE_SERVER_BIN="$bin_dir/piece-server" /usr/bin/python3 benches/seeders.py "$out/seeders.json"

# The machine and the versions, for the results file.
"$py" - "$out/machine.json" "$mode" "$fixtures" <<'EOF'
import json, os, subprocess, sys, datetime
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"
cpu = sh("lscpu | sed -n 's/^Model name: *//p' | head -1") or "?"
mem_kb = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:")), 0)
ram = f"{mem_kb / 1024 / 1024:.0f} GiB"
osname = sh(". /etc/os-release && echo $PRETTY_NAME")
dirty = "+uncommitted changes" if sh("git status --porcelain --untracked-files=no") else ""
tools = "; ".join(x for x in [
    sh("rustc --version"), sh("chromium --version 2>/dev/null | head -1"),
    sh("ffmpeg -version | head -1 | cut -d' ' -f1-3"), sh("/usr/sbin/nginx -v 2>&1"),
    "node " + sh("node --version"), "mediabunny " + sh("node -p \"require('./node_modules/mediabunny/package.json').version\""),
] if x)
sizes = ", ".join(f"{f} {os.path.getsize(os.path.join(sys.argv[3], f)) / 1e6:.0f} MB" for f in ["film.mkv", "film.mp4", "film.avi"])
fixtures = ("1080p30, 90 s, H.264 (x264 ultrafast, 2 B-frames, GOP 2 s, ~20 Mbit/s) from testsrc2; AAC (MKV, MP4) / MP3 (AVI) 128 kbit/s; index at the end of each file (ffmpeg's default): "
            if sys.argv[2] == "full" else "smoke (320x180, 6 s): ") + sizes
json.dump({"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "commit": sh("git rev-parse --short HEAD") + dirty, "cpu": cpu, "cores": os.cpu_count(), "ram": ram,
           "os": osname, "tools": tools, "mode": sys.argv[2], "fixtures": fixtures},
          open(sys.argv[1], "w"), indent=1)
EOF

step "report"
if [ "$mode" = smoke ]; then
  "$py" benches/report.py "$out" "$out/RESULTS.md" "$out/results.png"
else
  "$py" benches/report.py "$out" benches/RESULTS.md benches/results.png
fi
echo "== bench [$mode]: done ($out)"
