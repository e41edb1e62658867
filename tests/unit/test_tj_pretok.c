/* tokenizer.json char-class pre-tokenizers (WhitespaceSplit, BertPreTokenizer, Punctuation,
 * Digits, CharDelimiterSplit, Metaspace) against the splits HuggingFace's Rust tokenizer (npm
 * tokenizers 0.23.2, PreTokenizer.preTokenizeString) gives, and the Metaspace settings the
 * pre-tokenizer and the decoder of that name accept or refuse alike, as Rust's one
 * deserializer does. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize/tj_decoder.h"
#include "tokenize/tj_pretok.h"

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

Test(tj_pretok, char_class_splits_as_rust)
{
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const split_case *c = &cases[k];
        tj_pretok *p = pretok_from(c->pretok, TKA_OK, NULL);
        tka_arena *arena = tka_arena_new(0);
        tka_error err = {0};
        tj_ctx cx = {.arena = arena, .err = &err};
        tj_pretok_work w;
        memset(&w, 0, sizeof w);
        tj_splits sp = {0};
        tj_split whole = {{0}, -1};
        cr_assert_eq(tj_str_from(&cx, c->text, (uint32_t)strlen(c->text), 0, &whole.str), TKA_OK);
        cr_assert_eq(tj_splits_push(&sp, &whole), TKA_OK);
        cr_assert_eq(tj_pretokenize(p, &cx, &w, &sp), TKA_OK, "%s", err.message);
        char got[256] = "";
        size_t used = 0;
        for (size_t i = 0; i < sp.n; i++)
            used += (size_t)snprintf(got + used, sizeof got - used, "%s%.*s", i ? "|" : "",
                                     (int)sp.v[i].str.len, sp.v[i].str.s);
        cr_expect(sp.n == c->n && strcmp(got, c->pieces) == 0,
                  "%s on \"%s\": %zu pieces \"%s\", Rust gives %zu \"%s\"", c->pretok, c->text,
                  sp.n, got, c->n, c->pieces);
        tj_splits_free(&sp);
        tj_splits_free(&w.spare);
        tj_splits_free(&w.tmp);
        tj_matches_free(&w.m);
        free(cx.chg);
        tka_arena_free(arena);
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
