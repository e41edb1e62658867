/* Regexes of tokenizer.json (Split, Replace) on PCRE2 with JIT, translated where
 * PCRE2's syntax or classes differ from Oniguruma's (see docs/tokenizer_json.md). */
#ifndef TKA_TJ_REGEX_H
#define TKA_TJ_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "tokalign/status.h"
#include "tokenize/tj_json.h"
#include "tokenize/tj_str.h"

typedef struct tj_regex tj_regex;

/* GPT-2's pre-tokenizer pattern: what ByteLevel applies with use_regex (and a vocab.json +
 * merges.txt tokenizer), and one of the patterns tj_regex_find scans by hand on ASCII. */
extern const char tj_gpt2_pattern[];

/* Compiles `pattern` (a regex, or a literal string when `literal`). `where` names the
 * file and JSON path in errors. */
tka_status tj_regex_new(const char *pattern, size_t len, bool literal, const char *where,
                        tj_regex **out, tka_error *err);
void tj_regex_free(tj_regex *re);
/* The pattern in member `key` of `o` as tokenizer.json writes one (Split, Replace):
 * {"String": literal} or {"Regex": regex}, exactly one key (Rust's enum), compiled. */
tka_status tj_regex_from_json(const json_t *o, const char *key, const tj_where *w, tj_regex **out,
                              tka_error *err);

/* Per-thread match data. */
typedef struct tj_regex_work tj_regex_work;
tj_regex_work *tj_regex_work_new(void);
void tj_regex_work_free(tj_regex_work *w);

/* Appends to `m` the matches of `re` in s[0..len) with the gaps between them, covering
 * s (Rust's Pattern::find_matches for a SysRegex); `invert` flips is_match. */
tka_status tj_regex_find(const tj_regex *re, tj_regex_work *w, const char *s, size_t len,
                         bool invert, tj_matches *m, tka_error *err);
/* The same on PCRE2 alone: tj_regex_find answers GPT-2's, llama3's and qwen's patterns on
 * ASCII text with a hand-written scanner; tests compare the two. */
tka_status tj_regex_find_pcre2(const tj_regex *re, tj_regex_work *w, const char *s, size_t len,
                               bool invert, tj_matches *m, tka_error *err);
/* True when tj_regex_find has a scanner for this pattern (used on ASCII text). */
bool tj_regex_has_scanner(const tj_regex *re);

#endif
