#!/usr/bin/env bash
# Builds the browser media engine into www/pkg (served by piece-server at /pkg/...).
# Idempotent: cargo and wasm-bindgen only redo what changed. Needs the wasm32 target and
# wasm-bindgen-cli of the same version as the pinned wasm-bindgen crate (0.2.130).
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --quiet -p remux-wasm --release --target wasm32-unknown-unknown --lib

bindgen="$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")"
if [ ! -x "$bindgen" ]; then
  echo "build-wasm.sh: wasm-bindgen not found; install it with: cargo install wasm-bindgen-cli --version 0.2.130" >&2
  exit 1
fi
mkdir -p www/pkg
"$bindgen" --target web --out-dir www/pkg "$target_dir/wasm32-unknown-unknown/release/remux_wasm.wasm"
