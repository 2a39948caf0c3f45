#!/usr/bin/env bash
# Installs what the tests need (once; quiet when present) and runs every test:
# unit and integration tests, wasm tests in headless Chromium, and the end-to-end tests
# (a real local swarm + the server + headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure.sh
ensure_apt chromium chromium-driver ffmpeg aria2
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm

bash scripts/build-wasm.sh
echo "== native tests (unit, integration, end-to-end)"
RIPTIDE_REQUIRE_TOOLS=1 cargo test --workspace --quiet
echo "== wasm tests in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p remux-wasm --target wasm32-unknown-unknown --test web
echo "== benchmark smoke run (every bench step on tiny films; fails if a step fails, never on speed)"
bash scripts/bench.sh --smoke
echo "== wasm tests in headless Firefox ESR"
# (The page tests above already ran in both Chromium and Firefox: tests/e2e/browser.mjs.)
GECKODRIVER="$PWD/target/tools/bin/geckodriver" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p remux-wasm --target wasm32-unknown-unknown --test web
echo "== all tests passed"
