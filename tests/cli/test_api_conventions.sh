#!/usr/bin/env bash
# The public headers keep the API conventions of include/tokalign/tokalign.h:
# every handle or owned struct (an opaque typedef, or a type with a
# tka_*_free) states "Ownership and threads:" in the comment above its
# typedef; no compiler-specific attribute appears outside export.h, whose
# TKA_API / TKA_PRINTF have a plain fallback; and no header describes the end
# of a stream as TKA_ERR_NOT_FOUND (it is TKA_END).
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
INC=$TKA_SOURCE/include/tokalign

# Types that need the note: opaque handles, and the struct a *_free takes.
types=$( (grep -ho 'typedef struct \(tka_[a-z0-9_]*\) \1;' "$INC"/*.h | awk '{print $3}'
          grep -ho 'TKA_API void tka_[a-z0-9_]*_free(\(const \)\?tka_[a-z0-9_]* \*' "$INC"/*.h |
            sed 's/.*(\(const \)\?\(tka_[a-z0-9_]*\) \*$/\2/') | sort -u)
for t in $types; do
  # The comment block that ends right above the typedef that names the type.
  found=$(awk -v t="$t" '
    /^\/\*/ { block = "" ; inblock = 1 }
    inblock { block = block $0 "\n" }
    /\*\/[[:space:]]*$/ { inblock = 0; last = block; next }
    !inblock && /^typedef / {
      if ($0 ~ ("^typedef struct " t " " t ";") || $0 ~ ("^typedef struct " t " \\{")) {
        print (last ~ /Ownership and threads:/) ? "yes" : "no"; exit
      }
    }
    !inblock && !/^typedef / && !/^$/ { last = "" }
  ' "$INC"/*.h)
  if [ "$found" = yes ]; then ok "$t: an 'Ownership and threads:' note above its typedef"
  else bad "$t: no 'Ownership and threads:' note above its typedef (${found:-no typedef})"; fi
done

# Compiler-specific spellings only in export.h.
if grep -nE '__attribute__|__declspec|__builtin_|__restrict|__extension__|__inline|_Pragma|#pragma' \
     "$INC"/*.h "$INC"/version.h.in | grep -v '/export\.h:'; then
  bad "compiler-specific attribute outside export.h"
else ok "compiler-specific attributes only in export.h"; fi
# export.h: each attribute macro also has a definition without one.
for m in TKA_API TKA_PRINTF; do
  plain=$(grep -cE "^#define $m(\(fmt_index, first_arg\))?\$" "$INC/export.h")
  [ "$plain" -ge 1 ] && ok "export.h: a plain fallback for $m" || bad "export.h has no plain fallback for $m"
done

if grep -hn 'TKA_ERR_NOT_FOUND' "$INC"/*.h | grep -iE 'end|no more'; then
  bad "a header still ends a stream with TKA_ERR_NOT_FOUND"
else ok "no header ends a stream with TKA_ERR_NOT_FOUND"; fi
finish
