#!/usr/bin/env bash
# Installs what the tests need (once; quiet when present) and runs every test:
# a lint of the scripts (shellcheck), unit and integration tests, the end-to-end tests (a real
# local swarm + the server + headless Chromium, Firefox ESR and WebKitGTK), the wasm tests in
# headless Chromium and Firefox, and a smoke run of the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure.sh
# Each stage says when it starts (seconds since the script began): CI must stay under 45 min.
stage() { echo "== $* [at ${SECONDS} s]"; }
# Browsers and their drivers (WebKitGTK needs a display, Xvfb, and GStreamer's H.264/AAC
# decoders), media tools, BitTorrent clients (aria2; Transmission for tests/transmission.rs),
# openssl for the TLS test's certificate, nginx for the cluster test (deploy/nginx/).
ensure_apt chromium chromium-driver firefox-esr webkit2gtk-driver xvfb xauth \
  gstreamer1.0-libav gstreamer1.0-plugins-good gstreamer1.0-plugins-bad \
  ffmpeg aria2 transmission-daemon transmission-cli openssl shellcheck nginx
ensure_wasm_target
ensure_wasm_bindgen
ensure_geckodriver
ensure_npm

stage "shellcheck (scripts/, benches/*.sh, .ci/run)"
shellcheck -x scripts/*.sh scripts/lib/*.sh benches/*.sh .ci/run

bash scripts/build-wasm.sh
stage "type check of the page and the widget (tsc --noEmit over www/, against www/pkg's .d.ts)"
npx --no-install tsc --noEmit -p tsconfig.json
stage "unit tests of the page's modules (node --test)"
node --test tests/www/
stage "unit tests of our librqbit patch (third_party/librqbit: files with no dependency)"
patch_tests=$(mktemp -d)
for f in request_window upload_cancels critical_window endgame; do
  rustc --edition 2021 --test "third_party/librqbit/src/torrent_state/live/$f.rs" -o "$patch_tests/$f"
  "$patch_tests/$f" -q
done
rm -rf "$patch_tests"
# Real-world samples (docs/SAMPLES.md; scripts/get-samples.sh makes the folder): samples/ or
# shared/samples beside the repository (or the workplace's), unless RIPTIDE_SAMPLES_DIR says
# otherwise. Once set, a missing or changed file fails the tests that use it; unset, they say
# what they skipped.
if [ -z "${RIPTIDE_SAMPLES_DIR:-}" ]; then
  for d in ../samples ../shared/samples /work/samples /work/shared/samples; do
    if [ -d "$d" ]; then
      RIPTIDE_SAMPLES_DIR=$(cd "$d" && pwd)
      export RIPTIDE_SAMPLES_DIR
      break
    fi
  done
fi
echo "real-world samples: ${RIPTIDE_SAMPLES_DIR:-none (RIPTIDE_SAMPLES_DIR unset; those checks skip)}"
stage "native tests (unit, integration, end to end in Chromium, Firefox and WebKitGTK)"
RIPTIDE_REQUIRE_TOOLS=1 cargo test --workspace --quiet
stage "viewers sharing pieces over WebRTC: 3 viewers of the real player, the first corrupt, Firefox the third"
bash benches/browser/p2p-play.sh 30 3 ci
runner="$RIPTIDE_TOOLS/bin/wasm-bindgen-test-runner"
stage "wasm tests in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$runner" \
  cargo test -p remux-wasm --target wasm32-unknown-unknown --test web --test web_managed \
  --test web_transcode --test web_xvid
stage "wasm tests in headless Firefox ESR"
GECKODRIVER="$RIPTIDE_TOOLS/bin/geckodriver" CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$runner" \
  cargo test -p remux-wasm --target wasm32-unknown-unknown --test web --test web_transcode \
  --test web_xvid
stage "benchmark smoke run (every bench step on tiny films; fails if a step fails, never on speed)"
bash scripts/bench.sh --smoke
stage "all tests passed"
