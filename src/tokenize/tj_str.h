/* The alignment-keeping string of the tokenizer.json pipeline (Rust's NormalizedString):
 * normalized UTF-8 bytes, each mapped to the [start, end) byte range of the ORIGINAL input
 * it comes from, plus the splits the pre-tokenizers cut it into. */
#ifndef TKA_TJ_STR_H
#define TKA_TJ_STR_H

#include <stddef.h>
#include <stdint.h>

#include "tokalign/arena.h"
#include "tokalign/status.h"

/* Original byte range of one normalized byte, absolute in the encoded text. */
typedef struct tj_al {
    uint32_t s, e;
} tj_al;

/* A NormalizedString (or a slice of one). Alignments are absolute; `shift` is the absolute
 * original offset of the slice (Rust's original_shift), used where Rust gives (0, 0)
 * relative to the slice. Storage lives in the encode call's arena. A string whose `al` is
 * NULL keeps no alignments (the ids-only path): transform, replace, prepend and slice
 * then work on the bytes alone. */
typedef struct tj_str {
    char *s;
    tj_al *al;
    uint32_t len;
    uint32_t shift;
} tj_str;

/* A piece of the pre-tokenized string: a normalized slice, or an added token already
 * matched (added >= 0, its id). */
typedef struct tj_split {
    tj_str str;
    int32_t added;
} tj_split;

typedef struct tj_splits {
    tj_split *v;
    size_t n, cap;
} tj_splits;

/* One char of a transformation (Rust's (char, isize)): change 0 replaces the next
 * original char, 1 inserts, -N replaces the next char and removes N more. */
typedef struct tj_chg {
    uint32_t cp;
    int32_t change;
} tj_chg;

/* Scratch of one encode call: the arena the strings live in, and reusable vectors. */
typedef struct tj_ctx {
    tka_arena *arena;
    tj_chg *chg;
    size_t chg_cap;
    tka_error *err;
} tj_ctx;

/* A fresh string over text[0..len), aligned to the absolute offsets base..base+len. */
tka_status tj_str_from(tj_ctx *cx, const char *text, uint32_t len, uint32_t base, tj_str *out);
/* The slice [s, e) of normalized bytes (char boundaries), as Rust's slice(Normalized). */
tj_str tj_str_slice(const tj_str *str, uint32_t s, uint32_t e);
/* Applies transformations (Rust's NormalizedString::transform over the whole string). */
tka_status tj_str_transform(tj_ctx *cx, tj_str *str, const tj_chg *ch, size_t n,
                            size_t initial_offset);
/* Ensures cx->chg holds n entries. */
tka_status tj_chg_reserve(tj_ctx *cx, size_t n);
/* Replaces each match [m[2k], m[2k+1]) (sorted, disjoint) with content, as Rust's
 * NormalizedString::replace. */
tka_status tj_str_replace(tj_ctx *cx, tj_str *str, const uint32_t *m, size_t n_matches,
                          const char *content, size_t content_len);
/* Prepends p (Rust's NormalizedString::prepend; nothing for an empty string). */
tka_status tj_str_prepend(tj_ctx *cx, tj_str *str, const char *p, size_t len);
/* Original range of normalized bytes [s, e) (Rust's convert_offsets + the slice shift). */
void tj_str_orig(const tj_str *str, uint32_t s, uint32_t e, uint32_t *os, uint32_t *oe);

tka_status tj_splits_push(tj_splits *v, const tj_split *sp);
void tj_splits_free(tj_splits *v);

/* Split behaviours (Rust's SplitDelimiterBehavior). */
typedef enum tj_behavior {
    TJ_REMOVED,
    TJ_ISOLATED,
    TJ_MERGED_WITH_PREVIOUS,
    TJ_MERGED_WITH_NEXT,
    TJ_CONTIGUOUS
} tj_behavior;

/* Matches as (start, end, is_match) covering a whole string (Rust's Pattern::find_matches). */
typedef struct tj_match {
    uint32_t s, e;
    int is_match;
} tj_match;

typedef struct tj_matches {
    tj_match *v;
    size_t n, cap;
} tj_matches;

tka_status tj_matches_push(tj_matches *m, uint32_t s, uint32_t e, int is_match);
void tj_matches_free(tj_matches *m);
/* Appends to `out` the non-empty slices of `str` the matches give under `behavior`
 * (Rust's NormalizedString::split followed by PreTokenizedString's empty filter). */
tka_status tj_split_by(const tj_str *str, tj_matches *m, tj_behavior behavior, tj_splits *out);

#endif
