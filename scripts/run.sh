#!/usr/bin/env bash
# Builds everything (the wasm package and the server, which embeds the page) and starts
# Riptide on http://127.0.0.1:8080, seeding the bundled sample film so the page can play it
# with no internet. Extra arguments go to `piece-server seed` (see
# `target/release/piece-server seed --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure.sh
ensure_rust
bash scripts/build-wasm.sh
cargo build -q --release -p piece-server
exec "${CARGO_TARGET_DIR:-target}/release/piece-server" seed assets/sample.mkv "$@"
