#!/usr/bin/env bash
# Places tokenizer files under vocab/NAME/ from the mirror (default), or with
# --download from their public source. Usage: bash vocab/place.sh [--download] [NAME...]
# Without names, places every model listed in vocab/README.md that the mirror has.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
download=0
if [ "${1:-}" = "--download" ]; then download=1; shift; fi
mirror=${TOKALIGN_MIRROR:-$here/../../shared/data}

# name | file placed | mirror path | sha256 | url
table() {
  sed -n 's/^| `\([^`]*\)` | `\([^`]*\)` | `\([^`]*\)` | `\([0-9a-f]*\)` | \(.*\) |$/\1|\2|\3|\4|\5/p' "$here/README.md"
}

names=("$@")
status=0
while IFS='|' read -r name file mirror_path sha url; do
  if [ ${#names[@]} -gt 0 ] && ! printf '%s\n' "${names[@]}" | grep -qx "$name"; then continue; fi
  dest="$here/$name/$file"
  mkdir -p "$(dirname "$dest")"
  if [ $download -eq 1 ]; then
    url=${url//\`/}
    if [ "$url" = "-" ]; then echo "place.sh: $name has no public download" >&2; status=1; continue; fi
    curl -fsSL "$url" -o "$dest.part" && mv "$dest.part" "$dest" || { status=1; continue; }
  else
    src="$mirror/$mirror_path"
    if [ ! -f "$src" ]; then
      [ ${#names[@]} -gt 0 ] && { echo "place.sh: $src not found" >&2; status=1; }
      continue
    fi
    cp "$src" "$dest"
  fi
  if echo "$sha  $dest" | sha256sum -c --quiet - >/dev/null 2>&1; then
    echo "placed $name -> vocab/$name/$file"
  else
    echo "place.sh: warning: $dest SHA-256 differs from $sha" >&2
  fi
done < <(table)
exit $status
