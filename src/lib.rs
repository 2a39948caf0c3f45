//! Root package of the Riptide workspace: holds the end-to-end tests (`tests/`) and benchmarks (`benches/`).
