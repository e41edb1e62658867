/* tokenizer.json char-class pre-tokenizers (WhitespaceSplit, BertPreTokenizer, Punctuation,
 * Digits, CharDelimiterSplit, Metaspace) against the splits HuggingFace's Rust tokenizer (npm
 * tokenizers 0.23.2, PreTokenizer.preTokenizeString) gives, and the Metaspace settings the
 * pre-tokenizer and the decoder of that name accept or refuse alike, as Rust's one
 * deserializer does; Rust regex's \w, shared by the Whitespace pre-tokenizer and the
 * single_word added tokens. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "tokenize/tj_decoder.h"
#include "tokenize/tj_pretok.h"
#include "tokenize/tj_tokenizer.h"

typedef struct {
    const char *pretok, *text;
    size_t n;
    const char *pieces; /* joined by '|' */
} split_case;

/* Generated with the oracle: each pre-tokenizer on each text, the pieces Rust gives. */
static const split_case cases[] = {
    {"{\"type\":\"WhitespaceSplit\"}", "Hey, friend!!  12 345 x٣,,日本日 ▁y", 6,
     "Hey,|friend!!|12|345|x٣,,日本日|▁y"},
    {"{\"type\":\"WhitespaceSplit\"}", ",a,", 1, ",a,"},
    {"{\"type\":\"WhitespaceSplit\"}", " ", 0, ""},
    {"{\"type\":\"WhitespaceSplit\"}", "", 0, ""},
    {"{\"type\":\"BertPreTokenizer\"}", "Hey, friend!!  12 345 x٣,,日本日 ▁y", 12,
     "Hey|,|friend|!|!|12|345|x٣|,|,|日本日|▁y"},
    {"{\"type\":\"BertPreTokenizer\"}", ",a,", 3, ",|a|,"},
    {"{\"type\":\"BertPreTokenizer\"}", " ", 0, ""},
    {"{\"type\":\"BertPreTokenizer\"}", "", 0, ""},
    {"{\"type\":\"Punctuation\"}", "Hey, friend!!  12 345 x٣,,日本日 ▁y", 9,
     "Hey|,| friend|!|!|  12 345 x٣|,|,|日本日 ▁y"},
    {"{\"type\":\"Punctuation\"}", ",a,", 3, ",|a|,"},
    {"{\"type\":\"Punctuation\"}", " ", 1, " "},
    {"{\"type\":\"Punctuation\"}", "", 0, ""},
    {"{\"type\":\"Punctuation\",\"behavior\":\"Removed\"}", "Hey, friend!!  12 345 x٣,,日本日 ▁y",
     4, "Hey| friend|  12 345 x٣|日本日 ▁y"},
    {"{\"type\":\"Punctuation\",\"behavior\":\"Removed\"}", ",a,", 1, "a"},
    {"{\"type\":\"Punctuation\",\"behavior\":\"Removed\"}", " ", 1, " "},
    {"{\"type\":\"Punctuation\",\"behavior\":\"Removed\"}", "", 0, ""},
    {"{\"type\":\"Punctuation\",\"behavior\":\"MergedWithPrevious\"}",
     "Hey, friend!!  12 345 x٣,,日本日 ▁y", 6, "Hey,| friend!|!|  12 345 x٣,|,|日本日 ▁y"},
    {"{\"type\":\"Punctuation\",\"behavior\":\"MergedWithPrevious\"}", ",a,", 2, ",|a,"},
    {"{\"type\":\"Punctuation\",\"behavior\":\"MergedWithPrevious\"}", " ", 1, " "},
    {"{\"type\":\"Punctuation\",\"behavior\":\"MergedWithPrevious\"}", "", 0, ""},
    {"{\"type\":\"Punctuation\",\"behavior\":\"Contiguous\"}",
     "Hey, friend!!  12 345 x٣,,日本日 ▁y", 7, "Hey|,| friend|!!|  12 345 x٣|,,|日本日 ▁y"},
    {"{\"type\":\"Punctuation\",\"behavior\":\"Contiguous\"}", ",a,", 3, ",|a|,"},
    {"{\"type\":\"Punctuation\",\"behavior\":\"Contiguous\"}", " ", 1, " "},
    {"{\"type\":\"Punctuation\",\"behavior\":\"Contiguous\"}", "", 0, ""},
    {"{\"type\":\"Digits\",\"individual_digits\":false}", "Hey, friend!!  12 345 x٣,,日本日 ▁y", 7,
     "Hey, friend!!  |12| |345| x|٣|,,日本日 ▁y"},
    {"{\"type\":\"Digits\",\"individual_digits\":false}", ",a,", 1, ",a,"},
    {"{\"type\":\"Digits\",\"individual_digits\":false}", " ", 1, " "},
    {"{\"type\":\"Digits\",\"individual_digits\":false}", "", 0, ""},
    {"{\"type\":\"Digits\",\"individual_digits\":true}", "Hey, friend!!  12 345 x٣,,日本日 ▁y", 10,
     "Hey, friend!!  |1|2| |3|4|5| x|٣|,,日本日 ▁y"},
    {"{\"type\":\"Digits\",\"individual_digits\":true}", ",a,", 1, ",a,"},
    {"{\"type\":\"Digits\",\"individual_digits\":true}", " ", 1, " "},
    {"{\"type\":\"Digits\",\"individual_digits\":true}", "", 0, ""},
    {"{\"type\":\"CharDelimiterSplit\",\"delimiter\":\",\"}", "Hey, friend!!  12 345 x٣,,日本日 ▁y",
     3, "Hey| friend!!  12 345 x٣|日本日 ▁y"},
    {"{\"type\":\"CharDelimiterSplit\",\"delimiter\":\",\"}", ",a,", 1, "a"},
    {"{\"type\":\"CharDelimiterSplit\",\"delimiter\":\",\"}", " ", 1, " "},
    {"{\"type\":\"CharDelimiterSplit\",\"delimiter\":\",\"}", "", 0, ""},
    {"{\"type\":\"CharDelimiterSplit\",\"delimiter\":\"日\"}",
     "Hey, friend!!  12 345 x٣,,日本日 ▁y", 3, "Hey, friend!!  12 345 x٣,,|本| ▁y"},
    {"{\"type\":\"CharDelimiterSplit\",\"delimiter\":\"日\"}", ",a,", 1, ",a,"},
    {"{\"type\":\"CharDelimiterSplit\",\"delimiter\":\"日\"}", " ", 1, " "},
    {"{\"type\":\"CharDelimiterSplit\",\"delimiter\":\"日\"}", "", 0, ""},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\"}", "Hey, friend!!  12 345 x٣,,日本日 ▁y", 7,
     "▁Hey,|▁friend!!|▁|▁12|▁345 x٣,,日本日|▁|▁y"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\"}", ",a,", 1, "▁,a,"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\"}", " ", 1, "▁"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\"}", "", 0, ""},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"split\":false}",
     "Hey, friend!!  12 345 x٣,,日本日 ▁y", 1, "▁Hey,▁friend!!▁▁12▁345 x٣,,日本日▁▁y"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"split\":false}", ",a,", 1, "▁,a,"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"split\":false}", " ", 1, "▁"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"split\":false}", "", 0, ""},
    {"{\"type\":\"Metaspace\",\"replacement\":\"日\",\"prepend_scheme\":\"first\"}",
     "Hey, friend!!  12 345 x٣,,日本日 ▁y", 8, "日Hey,|日friend!!|日|日12|日345 x٣,,|日本|日|日▁y"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"日\",\"prepend_scheme\":\"first\"}", ",a,", 1,
     "日,a,"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"日\",\"prepend_scheme\":\"first\"}", " ", 1, "日"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"日\",\"prepend_scheme\":\"first\"}", "", 0, ""},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"never\"}",
     "Hey, friend!!  12 345 x٣,,日本日 ▁y", 7, "Hey,|▁friend!!|▁|▁12|▁345 x٣,,日本日|▁|▁y"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"never\"}", ",a,", 1,
     ",a,"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"never\"}", " ", 1, "▁"},
    {"{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"never\"}", "", 0, ""},
};

static tj_pretok *pretok_from(const char *json, tka_status want, const char *want_msg)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    cr_assert_not_null(j, "bad test JSON: %s", je.text);
    tj_where w = {"t.json", "pre_tokenizer"};
    tj_pretok *p = NULL;
    tka_error err = {0};
    tka_status st = tj_pretok_from_json(j, &w, &p, &err);
    json_decref(j);
    cr_assert_eq(st, want, "%s: status %d (%s), want %d", json, st, err.message, want);
    if (want_msg)
        cr_assert_not_null(strstr(err.message, want_msg), "%s: message \"%s\" lacks \"%s\"", json,
                           err.message, want_msg);
    return p;
}

/* Pre-tokenizes text[0..len) with p; the pieces joined by '|' in got; their count. */
static size_t pieces_of(const tj_pretok *p, const char *text, size_t len, char *got, size_t cap)
{
    tka_arena *arena = tka_arena_new(0);
    tka_error err = {0};
    tj_ctx cx = {.arena = arena, .err = &err};
    tj_pretok_work w;
    memset(&w, 0, sizeof w);
    tj_splits sp = {0};
    tj_split whole = {{0}, -1};
    cr_assert_eq(tj_str_from(&cx, text, (uint32_t)len, 0, &whole.str), TKA_OK);
    cr_assert_eq(tj_splits_push(&sp, &whole), TKA_OK);
    cr_assert_eq(tj_pretokenize(p, &cx, &w, &sp), TKA_OK, "%s", err.message);
    size_t used = 0, n = sp.n;
    got[0] = '\0';
    for (size_t i = 0; i < sp.n && used < cap; i++)
        used += (size_t)snprintf(got + used, cap - used, "%s%.*s", i ? "|" : "",
                                 (int)sp.v[i].str.len, sp.v[i].str.s);
    tj_splits_free(&sp);
    tj_splits_free(&w.spare);
    tj_splits_free(&w.tmp);
    tj_matches_free(&w.m);
    free(cx.chg);
    tka_arena_free(arena);
    return n;
}

Test(tj_pretok, char_class_splits_as_rust)
{
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const split_case *c = &cases[k];
        tj_pretok *p = pretok_from(c->pretok, TKA_OK, NULL);
        char got[256];
        size_t n = pieces_of(p, c->text, strlen(c->text), got, sizeof got);
        cr_expect(n == c->n && strcmp(got, c->pieces) == 0,
                  "%s on \"%s\": %zu pieces \"%s\", Rust gives %zu \"%s\"", c->pretok, c->text, n,
                  got, c->n, c->pieces);
        tj_pretok_free(p);
    }
}

/* Metaspace's settings: what Rust's deserializer (npm tokenizers 0.23.2, Tokenizer.fromFile)
 * refuses, refused by the pre-tokenizer and by the decoder with the same message. */
Test(tj_pretok, metaspace_settings_as_rust_in_both_places)
{
    static const struct {
        const char *settings; /* after "type" and "replacement" */
        const char *refusal;  /* NULL: accepted */
    } settings[] = {
        {"", NULL},
        {",\"prepend_scheme\":\"first\",\"split\":false", NULL},
        {",\"add_prefix_space\":false,\"prepend_scheme\":\"never\"", NULL},
        {",\"add_prefix_space\":null", NULL},
        {",\"split\":null", NULL},
        /* the default scheme "always" contradicts add_prefix_space false */
        {",\"add_prefix_space\":false", "add_prefix_space does not match declared prepend_scheme"},
        {",\"add_prefix_space\":false,\"prepend_scheme\":\"first\"",
         "add_prefix_space does not match declared prepend_scheme"},
        {",\"prepend_scheme\":null", "prepend_scheme: expected \"always\", \"first\" or \"never\""},
        {",\"prepend_scheme\":\"sometimes\"",
         "prepend_scheme: expected \"always\", \"first\" or \"never\""},
        {",\"add_prefix_space\":1", "add_prefix_space: expected true or false"},
        {",\"split\":\"yes\"", "split: expected true or false"},
    };
    for (size_t k = 0; k < sizeof settings / sizeof *settings; k++) {
        char json[256];
        snprintf(json, sizeof json, "{\"type\":\"Metaspace\",\"replacement\":\"_\"%s}",
                 settings[k].settings);
        tka_status want = settings[k].refusal ? TKA_ERR_FORMAT : TKA_OK;
        tj_pretok_free(pretok_from(json, want, settings[k].refusal));
        json_error_t je;
        json_t *j = json_loads(json, 0, &je);
        cr_assert_not_null(j);
        tj_decoder *d = NULL;
        tka_error err = {0};
        tka_status st = tj_decoder_from_json(j, "t.json", &d, &err);
        json_decref(j);
        cr_expect_eq(st, want, "decoder %s: status %d (%s), want %d", json, st, err.message, want);
        if (settings[k].refusal)
            cr_expect_not_null(strstr(err.message, settings[k].refusal),
                               "decoder %s: message \"%s\" lacks \"%s\"", json, err.message,
                               settings[k].refusal);
        tj_decoder_free(d);
    }
}

/* Rust regex's \w on chars where the letter categories are not the answer: Other_Alphabetic
 * symbols (circled and squared letters), a mark, Join_Control, Nl, Pc; the oracle's verdicts
 * (the Whitespace pre-tokenizer keeps "a" c "b" in one piece exactly when c is \w). Over
 * every code point assigned in Unicode 15 (ICU 72) the function and the oracle agree; the
 * chars new in Unicode 16 are not \w here. */
Test(tj_pretok, word_chars_as_rust_regex)
{
    static const struct {
        uint32_t c;
        bool word;
    } chars[] = {{0x24B6, true},  {0x1F130, true}, {0x1F150, true}, {0x0345, true},
                 {0x200C, true},  {0x200D, true},  {0x2160, true},  {0x203F, true},
                 {0x0663, true},  {0x00AA, true},  {0x02B0, true},  {'_', true},
                 {0x00B7, false}, {0x2460, false}, {' ', false},    {',', false}};
    tj_pretok *p = pretok_from("{\"type\":\"Whitespace\"}", TKA_OK, NULL);
    for (size_t k = 0; k < sizeof chars / sizeof *chars; k++) {
        cr_expect_eq(tj_is_word_char(chars[k].c), chars[k].word, "U+%04X", chars[k].c);
        char text[8] = "a";
        size_t n = 1 + tka_utf8_encode((int32_t)chars[k].c, (uint8_t *)text + 1);
        text[n++] = 'b';
        char got[64];
        size_t pieces = pieces_of(p, text, n, got, sizeof got);
        cr_expect_eq(pieces == 1, chars[k].word, "U+%04X: %zu pieces", chars[k].c, pieces);
    }
    tj_pretok_free(p);
}

/* A single_word added token is not matched after a \w char: ZWJ and a circled letter are
 * \w, a middle dot is not (npm tokenizers 0.23.2 on the same file gives these ids). */
Test(tj_pretok, single_word_boundaries_as_rust)
{
    static const char json[] =
        "{\"model\": {\"type\": \"WordLevel\", \"unk_token\": \"?\", \"vocab\": {\"?\": 0, "
        "\"x\": 1}}, \"pre_tokenizer\": {\"type\": \"WhitespaceSplit\"}, \"added_tokens\": "
        "[{\"id\": 1, \"content\": \"x\", \"special\": false, \"single_word\": true, "
        "\"normalized\": true}]}";
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    cr_assert_not_null(root, "%s", je.text);
    tj_tokenizer *t = NULL;
    tka_error err = {0};
    cr_assert_eq(tj_tokenizer_from_json(root, "inline.json", &t, &err), TKA_OK, "%s", err.message);
    json_decref(root);
    const char text[] = "\xE2\x80\x8Dx \xE2\x92\xB6x \xC2\xB7x \xCD\x85x";
    tj_enc e = {0};
    cr_assert_eq(
        tj_tokenizer_encode(t, text, strlen(text), NULL, 0, true, -1, TKA_TRUNCATE_NONE, &e, &err),
        TKA_OK, "%s", err.message);
    static const int32_t ids[] = {0, 0, 0, 1, 0};
    cr_assert_eq(e.n, 5, "%zu tokens", (size_t)e.n);
    for (size_t i = 0; i < 5; i++)
        cr_expect_eq(e.ids[i], ids[i], "token %zu: id %d, Rust %d", i, e.ids[i], ids[i]);
    tj_enc_free(&e);
    tj_tokenizer_free(t);
}

/* A pattern (Split, Replace) and a char (CharDelimiterSplit, Metaspace, Strip) are read by
 * one reader each, wherever they stand: what Rust refuses (npm tokenizers 0.23.2: "expected
 * map with a single key", a string of two chars) is refused in every place. */
Test(tj_pretok, patterns_and_chars_as_rust_in_every_place)
{
    static const char *const places[] = {
        /* each followed by the pattern and "}" */
        "\"pre_tokenizer\": {\"type\": \"Split\", \"behavior\": \"Isolated\", \"pattern\": ",
        "\"normalizer\": {\"type\": \"Replace\", \"content\": \"x\", \"pattern\": ",
        "\"decoder\": {\"type\": \"Replace\", \"content\": \"x\", \"pattern\": "};
    static const struct {
        const char *pattern;
        bool ok;
    } patterns[] = {{"{\"Regex\": \"a+\"}", true},
                    {"{\"String\": \"a\"}", true},
                    {"{\"String\": \"a\", \"Regex\": \"b\"}", false},
                    {"{\"String\": \"a\", \"x\": 1}", false},
                    {"{}", false},
                    {"{\"String\": 1}", false}};
    static const struct {
        const char *component;
        bool ok;
    } chars[] = {
        {"\"pre_tokenizer\": {\"type\": \"CharDelimiterSplit\", \"delimiter\": \"\xE6\x97\xA5\"}",
         true},
        {"\"pre_tokenizer\": {\"type\": \"CharDelimiterSplit\", \"delimiter\": \"ab\"}", false},
        {"\"pre_tokenizer\": {\"type\": \"CharDelimiterSplit\", \"delimiter\": \"\"}", false},
        {"\"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"ab\"}", false},
        {"\"decoder\": {\"type\": \"Strip\", \"content\": \"ab\", \"start\": 0, \"stop\": 0}",
         false},
        {"\"decoder\": {\"type\": \"Strip\", \"content\": \" \", \"start\": 0, \"stop\": 0}",
         true}};
    for (size_t k = 0; k < 3 * (sizeof patterns / sizeof *patterns) + sizeof chars / sizeof *chars;
         k++) {
        char component[400], json[600];
        bool ok;
        if (k < 3 * (sizeof patterns / sizeof *patterns)) {
            snprintf(component, sizeof component, "%s%s}", places[k % 3], patterns[k / 3].pattern);
            ok = patterns[k / 3].ok;
        } else {
            size_t c = k - 3 * (sizeof patterns / sizeof *patterns);
            snprintf(component, sizeof component, "%s", chars[c].component);
            ok = chars[c].ok;
        }
        snprintf(json, sizeof json,
                 "{\"model\": {\"type\": \"WordLevel\", \"unk_token\": \"?\", \"vocab\": {\"?\": "
                 "0}}, %s}",
                 component);
        json_error_t je;
        json_t *root = json_loads(json, 0, &je);
        cr_assert_not_null(root, "%s: %s", json, je.text);
        tj_tokenizer *t = NULL;
        tka_error err = {0};
        tka_status st = tj_tokenizer_from_json(root, "inline.json", &t, &err);
        json_decref(root);
        cr_expect_eq(st == TKA_OK, ok, "%s: status %d (%s)", component, st, err.message);
        if (!ok)
            cr_expect(st == TKA_ERR_FORMAT &&
                          (strstr(err.message, "expected {\"String\": ...} or {\"Regex\": ...}") ||
                           strstr(err.message, "expected a single character")),
                      "%s: %s", component, err.message);
        tj_tokenizer_free(t);
    }
}
