#!/usr/bin/env bash
# Puts the real-world samples of docs/SAMPLES.md in DIR, each the blob at its repository, commit
# and path, and checks every SHA-256 (test_support::samples holds the same list).
#   bash scripts/get-samples.sh DIR [CLONES]
# CLONES: a folder of git repositories named owner+name (a bare repository or one with a `repo`
# folder inside, as a mirror keeps them); a repository missing there is fetched from GitHub at
# its commit only (network: this script, never the tests). Then run the tests with
# RIPTIDE_SAMPLES_DIR=DIR (scripts/test.sh finds ../samples by itself).
set -euo pipefail
out=${1:?usage: get-samples.sh DIR [CLONES]}
clones=${2:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# owner/name commit path file sha256
samples=(
  "DolbyLaboratories/dlb_mp4base 8da6d4a8fc095a88349fbdac33e7e68fb3b93649 test/signals/5ch_dd_25fps_channel_id.ac3 dolby-5ch_dd_25fps_channel_id.ac3 cd9fef94f2b76f56c056dffb74098c663cdfb5c0cc78de661cbbbbe8174cc4cc"
  "DolbyLaboratories/dlb_mp4base 8da6d4a8fc095a88349fbdac33e7e68fb3b93649 test/signals/7ch_ddp_25fps_channel_id.ec3 dolby-7ch_ddp_25fps_channel_id.ec3 4935b8409f352c3f2c81caae5030fdeffa48205c941270b8eede5d2810d159cc"
  "DolbyLaboratories/dlb_mp4base 8da6d4a8fc095a88349fbdac33e7e68fb3b93649 test/signals/7ch_ddp_25fps_acmod_19.mp4 dolby-7ch_ddp_25fps_acmod_19.mp4 252fd7c91216107071cc0410e430485bca356883780ae1030c03a1b226a84c07"
  "google/ExoPlayer 243e6c292ac88307263e3974152d125345c3e5c4 testdata/src/test/assets/media/ts/sample_eac3joc.ec3 exoplayer-sample_eac3joc.ec3 32fdd125ed45e6a34e2684e2cb9e81c0612113413a6d4aceac018b815d512edc"
  "google/ExoPlayer 243e6c292ac88307263e3974152d125345c3e5c4 testdata/src/test/assets/media/ts/sample.eac3 exoplayer-sample.eac3 38c34ebe4f5d435e5f913ed5089f924913b0441dbf35e9e8dc686423e4c23f36"
  "androidx/media 2bc207851df311340767e913931ca7b28cab1794 libraries/test_data/src/test/assets/media/mkv/sample_with_dts.mkv androidx-sample_with_dts.mkv e8120f9c38a21d2aecc6ab1c47628ca7baa1c2d91b6d4c39e2e7e37e87e41791"
  "androidx/media 2bc207851df311340767e913931ca7b28cab1794 libraries/test_data/src/test/assets/media/mkv/sample_with_dts_hd_ma.mkv androidx-sample_with_dts_hd_ma.mkv 522b99f24c104c4273beede93f7cdffe794e7c36376149706dcf41a9ed0c7df5"
  "open-mmlab/mmaction2 4d6c93474730cad2f25e51109adcf96824efc7a3 tests/data/test.avi mmaction2-test-xvid-mp3.avi cc3ebb11e80d2900071ff929633b7476a33ee1698ac9a91206e2ba64c1c28920"
  "vstinner/hachoir 4909a6d70b589d96a38b8902946e6982ca897939 tests/files/flashmob.mkv hachoir-flashmob.mkv 5fb622da345d972bf11bdee7140d91f8c3d7d7679d28e08613508cabd7158853"
)

# The git directory holding `repo` at `commit`: from CLONES, else a one-commit fetch.
git_dir() {
  local repo=$1 commit=$2 local_dir
  local_dir="$clones/${repo/\//+}"
  for d in "$local_dir/repo" "$local_dir"; do
    if [ -n "$clones" ] && git --git-dir="$d" cat-file -e "$commit^{commit}" 2>/dev/null; then
      echo "$d"; return
    fi
    [ -d "$d/.git" ] && git --git-dir="$d/.git" cat-file -e "$commit^{commit}" 2>/dev/null && { echo "$d/.git"; return; }
  done
  local g="$tmp/${repo/\//+}.git"
  if [ ! -d "$g" ]; then
    git init -q --bare "$g"
    echo "fetching $repo at $commit from GitHub" >&2
    git --git-dir="$g" fetch -q --depth 1 "https://github.com/$repo.git" "$commit" \
      || { echo "get-samples.sh: could not fetch $repo (pass a folder of clones as CLONES)" >&2; exit 1; }
  fi
  echo "$g"
}

bad=0
for s in "${samples[@]}"; do
  read -r repo commit path file sum <<< "$s"
  if [ -f "$out/$file" ] && echo "$sum  $out/$file" | sha256sum -c --status; then
    continue
  fi
  g=$(git_dir "$repo" "$commit")
  git --git-dir="$g" show "$commit:$path" > "$out/$file.part"
  mv "$out/$file.part" "$out/$file"
  if ! echo "$sum  $out/$file" | sha256sum -c --status; then
    echo "get-samples.sh: $file does not have the SHA-256 docs/SAMPLES.md lists" >&2
    bad=1
  fi
done
[ "$bad" = 0 ] || exit 1
echo "$out: ${#samples[@]} samples, every SHA-256 checked"
