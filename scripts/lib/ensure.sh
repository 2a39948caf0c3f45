# Idempotent installers shared by scripts/run.sh and scripts/test.sh. Each one checks first and
# prints nothing when the thing is already there.

# Debian packages, installed only if missing.
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_wasm_target() {
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown && return 0
  echo "installing the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown >/dev/null
}

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
ensure_wasm_bindgen() {
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
  [ -n "$want" ] || { echo "error: wasm-bindgen is not in Cargo.lock; run 'cargo generate-lockfile'" >&2; return 1; }
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
  [ "$have" = "$want" ] && return 0
  echo "installing wasm-bindgen-cli $want (matches Cargo.lock; takes a few minutes once)"
  # No --locked: the CLI's own lock file pins crates this registry does not serve.
  cargo install -q wasm-bindgen-cli --version "$want" --force
}

# npm packages for page-level tests (playwright-core drives Debian's /usr/bin/chromium; it never
# downloads a browser).
ensure_npm() {
  if [ -d node_modules/playwright-core ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    return 0
  fi
  # A symlinked node_modules is shared with another checkout: `npm ci` would empty the shared
  # directory through the link. Use it as it is (or fail and say so).
  if [ -L node_modules ]; then
    [ -d node_modules/playwright-core ] && return 0
    echo "error: node_modules is a link to $(readlink node_modules), which lacks playwright-core; run 'npm ci' there" >&2
    return 1
  fi
  echo "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent >/dev/null
}
