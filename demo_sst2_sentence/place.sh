#!/usr/bin/env bash
# Places demo.tsv (the 32-row SST-2 set of the reference step-2 check) here,
# copied from the mirror; with --download, fetched from its public source.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
url=https://raw.githubusercontent.com/PaddlePaddle/PaddleNLP/develop/examples/torch_migration/pipeline/Step2/demo_sst2_sentence/demo.tsv
sha=$(cat "$here/demo.tsv.sha256")
dest=$here/demo.tsv
check() { echo "$sha  $1" | sha256sum -c --quiet - >/dev/null 2>&1; }
[ -f "$dest" ] && check "$dest" && exit 0
if [ "${1:-}" = "--download" ]; then
  curl -fsSL "$url" -o "$dest.part" && mv "$dest.part" "$dest"
else
  mirror=${TOKALIGN_MIRROR:-$here/../../shared/data}
  src=$mirror/demo_sst2_sentence/demo.tsv
  [ -f "$src" ] || { echo "place.sh: $src not found (set TOKALIGN_MIRROR, or pass --download)" >&2; exit 1; }
  cp "$src" "$dest"
fi
check "$dest" || echo "place.sh: warning: $dest does not have the expected SHA-256 $sha" >&2
