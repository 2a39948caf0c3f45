# shellcheck shell=bash
# Idempotent installers shared by scripts/run.sh, scripts/test.sh and scripts/bench.sh. Each
# one checks first and prints nothing when the thing is already there; a missing thing is
# installed, or the script stops with one line saying what to install and how.
#
# Every probe here must survive the absence of what it probes: the scripts run under
# `set -euo pipefail`, where `x=$(missing-tool --version | awk ...)` exits the script with 127
# and no message. So a tool is looked up with `command -v` or `[ -x ]` inside an `if` before it
# is run, and a pipeline whose first command may fail ends in `|| true`.
#
# Tools built with cargo (wasm-bindgen-cli, geckodriver) are project-local: they are installed
# with `cargo install --root "$RIPTIDE_TOOLS"` and used by path, never from cargo's own bin
# folder or PATH, so a clean clone starts without them and CI exercises the install.
# Override the folder with RIPTIDE_TOOLS_DIR (e.g. to share one install between checkouts).

RIPTIDE_TOOLS="${RIPTIDE_TOOLS_DIR:-$PWD/target/tools}"
export RIPTIDE_TOOLS

die() {
  echo "error: $*" >&2
  exit 1
}

# Stops with a one-line hint when a command the scripts cannot install is missing.
require_cmd() {
  local cmd="$1" hint="$2"
  command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' not found; $hint"
}

# The toolchain every step needs and none of the scripts installs.
ensure_rust() {
  require_cmd cargo "install Rust with rustup (https://rustup.rs), then open a new shell"
  require_cmd rustup "install Rust with rustup (https://rustup.rs); Debian's cargo cannot add the wasm32 target"
}

ensure_node() {
  require_cmd node "install Node.js 20 or later (Debian: apt-get install nodejs npm)"
  require_cmd npm "install npm (Debian: apt-get install npm)"
}

# Debian packages, installed only if missing (with their recommended packages: firefox-esr and
# chromium need them to decode H.264/AAC).
ensure_apt() {
  local missing=() p status
  if ! command -v dpkg-query >/dev/null 2>&1; then
    # Not Debian: check for the commands instead, and say what is missing.
    for p in "$@"; do
      command -v "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    die "missing packages: ${missing[*]} (this script installs them on Debian only; install them with your package manager)"
  fi
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 \
      || die "Debian packages missing: ${missing[*]}; install them as root: apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  echo "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    -o APT::Install-Recommends=true "${missing[@]}" >/dev/null \
    || die "apt-get could not install: ${missing[*]}"
}

ensure_wasm_target() {
  ensure_rust
  local installed
  installed=$(rustup target list --installed 2>/dev/null || true)
  if printf '%s\n' "$installed" | grep -qx wasm32-unknown-unknown; then
    return 0
  fi
  echo "installing the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown >/dev/null \
    || die "'rustup target add wasm32-unknown-unknown' failed"
}

# The version a tool in $RIPTIDE_TOOLS/bin prints as the second word of `--version`, or
# nothing when it is absent or does not run.
tool_version() {
  local bin="$RIPTIDE_TOOLS/bin/$1" out
  [ -x "$bin" ] || return 0
  out=$("$bin" --version 2>/dev/null || true)
  printf '%s\n' "$out" | awk 'NR == 1 {print $2}'
}

# `cargo install` of one crate at one version into $RIPTIDE_TOOLS, unless that version is
# there. Usage: ensure_cargo_tool CRATE VERSION BINARY
ensure_cargo_tool() {
  local crate="$1" want="$2" bin="$3"
  ensure_rust
  [ "$(tool_version "$bin")" = "$want" ] && return 0
  echo "installing $crate $want into $RIPTIDE_TOOLS (takes a few minutes once)"
  # No --locked: wasm-bindgen-cli's own lock file pins crates this registry does not serve.
  cargo install -q "$crate" --version "$want" --root "$RIPTIDE_TOOLS" --force \
    || die "'cargo install $crate --version $want' failed"
  [ "$(tool_version "$bin")" = "$want" ] \
    || die "$RIPTIDE_TOOLS/bin/$bin does not report version $want after installing it"
}

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
ensure_wasm_bindgen() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
  [ -n "$want" ] || die "wasm-bindgen is not in Cargo.lock; run 'cargo generate-lockfile'"
  ensure_cargo_tool wasm-bindgen-cli "$want" wasm-bindgen
  export WASM_BINDGEN="$RIPTIDE_TOOLS/bin/wasm-bindgen"
}

# geckodriver drives Firefox for wasm-bindgen-test-runner.
GECKODRIVER_VERSION=0.37.1
ensure_geckodriver() {
  ensure_cargo_tool geckodriver "$GECKODRIVER_VERSION" geckodriver
  export GECKODRIVER="$RIPTIDE_TOOLS/bin/geckodriver"
}

# npm packages for page-level tests (playwright-core drives Debian's /usr/bin/chromium,
# puppeteer-core Debian's firefox-esr; neither downloads a browser).
ensure_npm() {
  ensure_node
  if [ -d node_modules/playwright-core ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    return 0
  fi
  # A symlinked node_modules is shared with another checkout: `npm ci` would empty the shared
  # directory through the link. Use it as it is (or fail and say so).
  if [ -L node_modules ]; then
    [ -d node_modules/playwright-core ] && return 0
    die "node_modules is a link to $(readlink node_modules), which lacks playwright-core; run 'npm ci' there"
  fi
  echo "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
    npm ci --no-audit --no-fund --silent >/dev/null || die "'npm ci' failed"
}
