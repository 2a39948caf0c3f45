#!/usr/bin/env bash
# Builds the browser media engine into www/pkg (served by piece-server at /pkg/..., and
# embedded into the piece-server binary when it is built afterwards).
# Idempotent: cargo and wasm-bindgen only redo what changed. Installs what is missing (the
# wasm32 target, wasm-bindgen-cli of the version in Cargo.lock, project-local in target/tools).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure.sh
ensure_wasm_target
ensure_wasm_bindgen

target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --quiet -p remux-wasm --release --target wasm32-unknown-unknown --lib
mkdir -p www/pkg
"$WASM_BINDGEN" --target web --out-dir www/pkg "$target_dir/wasm32-unknown-unknown/release/remux_wasm.wasm"
