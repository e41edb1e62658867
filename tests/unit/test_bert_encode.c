/* Unit tests of encode (templates, truncation and overflow in both compat
 * modes, padding, offsets, option checks) and decode. */
#include <criterion/criterion.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "bert_test_util.h"
#include "tokalign/arena.h"
#include "tokalign/encode.h"

#define SLOW TKA_COMPAT_SLOW
#define FAST TKA_COMPAT_FAST

static void assert_ints(const int32_t *got, size_t n, const int32_t *want, size_t wn,
                        const char *what)
{
    cr_assert_eq(n, wn, "%s: length %zu, expected %zu", what, n, wn);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "%s[%zu]: %d, expected %d", what, i, got[i], want[i]);
}

#define INTS(...) \
    ((const int32_t[]){__VA_ARGS__}), (sizeof((const int32_t[]){__VA_ARGS__}) / sizeof(int32_t))

static tka_encoding enc(tka_tokenizer *tok, tka_encode_options *o, const char *a, const char *b,
                        tka_arena *arena)
{
    tka_encoding e;
    tka_error err;
    tka_status st = tka_encode(tok, o, a, strlen(a), b, b ? strlen(b) : 0, arena, &e, &err);
    cr_assert_eq(st, TKA_OK, "%s", err.message);
    return e;
}

Test(bert_encode, single_and_pair_templates)
{
    tka_tokenizer *tok = open_small(1, SLOW);
    tka_arena *arena = tka_arena_new(0);
    tka_encode_options o;
    tka_encode_options_init(&o);
    o.offsets = true;
    tka_encoding e = enc(tok, &o, "hello world", NULL, arena);
    assert_ints(e.input_ids, e.length, INTS(2, 5, 6, 3), "ids");
    assert_ints(e.token_type_ids, e.length, INTS(0, 0, 0, 0), "types");
    assert_ints(e.special_tokens_mask, e.length, INTS(1, 0, 0, 1), "special");
    assert_ints(e.attention_mask, e.length, INTS(1, 1, 1, 1), "attention");
    cr_assert(e.offset_starts[1] == 0 && e.offset_ends[1] == 5);
    cr_assert(e.offset_starts[2] == 6 && e.offset_ends[2] == 11);
    e = enc(tok, &o, "hello", "world !", arena);
    assert_ints(e.input_ids, e.length, INTS(2, 5, 3, 6, 8, 3), "pair ids");
    assert_ints(e.token_type_ids, e.length, INTS(0, 0, 0, 1, 1, 1), "pair types");
    cr_assert(e.offset_starts[4] == 6 && e.offset_ends[4] == 7, "offsets relative to text_pair");
    o.add_special_tokens = false;
    e = enc(tok, &o, "hello", "world", arena);
    assert_ints(e.input_ids, e.length, INTS(5, 6), "no specials");
    assert_ints(e.token_type_ids, e.length, INTS(0, 0), "slow: all type 0 without specials");
    tka_arena_free(arena);
    tka_tokenizer_free(tok);
}

Test(bert_encode, slow_truncation_4_9_1)
{
    tka_tokenizer *tok = open_small(1, SLOW);
    tka_arena *arena = tka_arena_new(0);
    tka_encode_options o;
    tka_encode_options_init(&o);
    o.overflow = true;
    o.max_length = 6;
    o.truncation = TKA_TRUNCATE_LONGEST_FIRST;
    /* a b a b a b (6) + [CLS] [SEP]: remove 2 from the end, in removal order */
    tka_encoding e = enc(tok, &o, "a b a b a b", NULL, arena);
    assert_ints(e.input_ids, e.length, INTS(2, 13, 14, 13, 14, 3), "ids");
    assert_ints(e.overflowing_tokens, e.n_overflowing_tokens, INTS(14, 13), "overflow");
    cr_assert_eq(e.num_truncated_tokens, 2);
    /* stride widens the first removal only */
    o.stride = 2;
    e = enc(tok, &o, "a b a b a b", NULL, arena);
    assert_ints(e.overflowing_tokens, e.n_overflowing_tokens, INTS(14, 13, 14, 13),
                "overflow with stride");
    o.stride = 0;
    /* pairs: one at a time from the longer, the second on ties */
    o.max_length = 7; /* 4 + 3 tokens + 3 specials = 10: remove 3 */
    e = enc(tok, &o, "a b a b", "hello world !", arena);
    assert_ints(e.input_ids, e.length, INTS(2, 13, 14, 3, 5, 6, 3), "pair longest_first");
    assert_ints(e.overflowing_tokens, e.n_overflowing_tokens, INTS(14, 8, 13), "pair overflow");
    /* only_second impossible: 4.9.1 leaves both untouched */
    o.truncation = TKA_TRUNCATE_ONLY_SECOND;
    o.max_length = 4;
    e = enc(tok, &o, "a b a b", "hello", arena);
    cr_assert_eq(e.length, 8);
    cr_assert_eq(e.n_overflowing_tokens, 0);
    cr_assert_eq(e.num_truncated_tokens, 4);
    /* only_second on a single text: ignored */
    e = enc(tok, &o, "a b a b", NULL, arena);
    cr_assert_eq(e.length, 6);
    /* only_first with a window */
    o.truncation = TKA_TRUNCATE_ONLY_FIRST;
    o.max_length = 6;
    o.stride = 1;
    e = enc(tok, &o, "a b a b", "hello", arena);
    assert_ints(e.input_ids, e.length, INTS(2, 13, 14, 3, 5, 3), "only_first");
    assert_ints(e.overflowing_tokens, e.n_overflowing_tokens, INTS(14, 13, 14), "window");
    /* no truncation needed: num_truncated_tokens is negative */
    o.max_length = 100;
    e = enc(tok, &o, "a", NULL, arena);
    cr_assert_eq(e.num_truncated_tokens, -97);
    tka_arena_free(arena);
    tka_tokenizer_free(tok);
}

Test(bert_encode, fast_truncation_and_errors)
{
    tka_tokenizer *tok = open_small(1, FAST);
    tka_arena *arena = tka_arena_new(0);
    tka_encode_options o;
    tka_encode_options_init(&o);
    o.overflow = true;
    o.offsets = true;
    o.max_length = 5;
    o.truncation = TKA_TRUNCATE_ONLY_SECOND;
    tka_encoding e;
    tka_error err;
    cr_assert_eq(tka_encode(tok, &o, "a b a b", 7, NULL, 0, arena, &e, &err), TKA_ERR_REFERENCE);
    cr_assert_str_eq(err.message, "Truncation error: Second sequence not provided");
    cr_assert_eq(tka_encode(tok, &o, "a b a b", 7, "a", 1, arena, &e, &err), TKA_ERR_REFERENCE);
    cr_assert_not_null(strstr(err.message, "Sequence to truncate too short"));
    /* longest_first: an odd budget goes to the longer sequence */
    o.truncation = TKA_TRUNCATE_LONGEST_FIRST;
    o.max_length = 8; /* 5 for content */
    e = enc(tok, &o, "a b a", "b a b a b a", arena);
    assert_ints(e.token_type_ids, e.length, INTS(0, 0, 0, 0, 1, 1, 1, 1), "2 + 3");
    /* overflow windows of each sequence, combined in merge order */
    cr_assert_gt(e.n_overflowing, 0);
    for (size_t k = 0; k < e.n_overflowing; k++) {
        cr_assert_eq(e.overflowing[k].input_ids[0], 2);
        cr_assert_eq(e.overflowing[k].input_ids[e.overflowing[k].length - 1], 3);
    }
    /* single: window at max_length - 2, after the word cut at max_length */
    o.max_length = 4;
    e = enc(tok, &o, "a b a b a b a b", NULL, arena);
    assert_ints(e.input_ids, e.length, INTS(2, 13, 14, 3), "main");
    cr_assert_eq(e.n_overflowing, 1);
    assert_ints(e.overflowing[0].input_ids, e.overflowing[0].length, INTS(2, 13, 14, 3), "ovf");
    cr_assert(e.overflowing[0].offset_starts[1] == 4 && e.overflowing[0].offset_ends[2] == 7);
    /* stride must stay below the window */
    o.stride = 2;
    cr_assert_eq(tka_encode(tok, &o, "a b a b a b a b", 15, NULL, 0, arena, &e, &err),
                 TKA_ERR_ARGUMENT);
    tka_arena_free(arena);
    tka_tokenizer_free(tok);
}

/* edge_cases line 218: U+2B81F U+2B820 U+2B821. Python drops U+2B81F (Cn)
 * and isolates the other two as CJK; Rust keeps U+2B81F (CJK in its ranges)
 * and keeps U+2B820 U+2B821 as one word (its range starts at U+2B920). */
#define LINE_218 "\xF0\xAB\xA0\x9F\xF0\xAB\xA0\xA0\xF0\xAB\xA0\xA1"
/* U+FFFE is Cn: dropped in slow mode ("the"), kept in fast mode ([UNK]) */
#define TH_FFFE_E    \
    "th\xEF\xBF\xBE" \
    "e"

static void assert_offsets(const tka_encoding *e, const uint32_t (*want)[2], size_t n,
                           const char *what)
{
    cr_assert_eq(e->length, n, "%s: length %zu, expected %zu", what, e->length, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(e->offset_starts[i] == want[i][0] && e->offset_ends[i] == want[i][1],
                  "%s: offsets[%zu] = [%u, %u), expected [%u, %u)", what, i, e->offset_starts[i],
                  e->offset_ends[i], want[i][0], want[i][1]);
}

#define OFFS(...)                         \
    ((const uint32_t[][2]){__VA_ARGS__}), \
        (sizeof((const uint32_t[][2]){__VA_ARGS__}) / sizeof(uint32_t[2]))

Test(bert_encode, slow_offsets_are_the_fast_tokenizers_when_ids_agree)
{
    static const char *const models[] = {"bert-base-uncased", "bert-base-cased",
                                         "bert-base-chinese"};
    for (size_t m = 0; m < 3; m++) {
        tka_tokenizer *tok = open_mirror(models[m], SLOW);
        tka_arena *arena = tka_arena_new(0);
        /* the tokenizer itself segments the slow way */
        tka_tokens t = {0};
        cr_assert_eq(tka_tokenize(tok, LINE_218, strlen(LINE_218), TKA_TOKENS_OFFSETS, &t, NULL),
                     TKA_OK);
        cr_assert(t.count == 2 && t.starts[0] == 1 && t.ends[0] == 2 && t.starts[1] == 2 &&
                      t.ends[1] == 3,
                  "%s: slow segmentation", models[m]);
        tka_tokens_free(&t);

        tka_encode_options o;
        tka_encode_options_init(&o);
        o.offsets = true;
        /* same ids both ways: the offsets are BertTokenizerFast's (the golden row) */
        tka_encoding e = enc(tok, &o, LINE_218, NULL, arena);
        assert_ints(e.input_ids, e.length, INTS(101, 100, 100, 102), models[m]);
        assert_offsets(&e, OFFS({0, 0}, {0, 1}, {1, 3}, {0, 0}), models[m]);
        /* as text_pair too, and without special tokens */
        e = enc(tok, &o, "a", LINE_218, arena);
        assert_offsets(&e, OFFS({0, 0}, {0, 1}, {0, 0}, {0, 1}, {1, 3}, {0, 0}), models[m]);
        o.add_special_tokens = false;
        e = enc(tok, &o, LINE_218, NULL, arena);
        assert_offsets(&e, OFFS({0, 1}, {1, 3}), models[m]);
        o.add_special_tokens = true;
        /* truncation that both sides do alike keeps the fast offsets */
        o.max_length = 3;
        o.truncation = TKA_TRUNCATE_LONGEST_FIRST;
        e = enc(tok, &o, LINE_218, NULL, arena);
        assert_offsets(&e, OFFS({0, 0}, {0, 1}, {0, 0}), models[m]);
        /* only_second without a pair: 4.9.1 ignores it, the Rust side raises,
         * so there are no fast offsets and the slow segmentation's stay */
        o.truncation = TKA_TRUNCATE_ONLY_SECOND;
        e = enc(tok, &o, LINE_218, NULL, arena);
        assert_offsets(&e, OFFS({0, 0}, {1, 2}, {2, 3}, {0, 0}), models[m]);
        o.max_length = -1;
        o.truncation = TKA_TRUNCATE_NONE;

        /* ids differ (slow "the", fast [UNK]): slow offsets for every token,
         * the line-218 ones included */
        int32_t the = tka_tokenizer_token_to_id(tok, "the", 3);
        cr_assert_geq(the, 0, "%s has \"the\"", models[m]);
        e = enc(tok, &o, LINE_218 " " TH_FFFE_E, NULL, arena);
        assert_ints(e.input_ids, e.length, INTS(101, 100, 100, the, 102), models[m]);
        assert_offsets(&e, OFFS({0, 0}, {1, 2}, {2, 3}, {4, 8}, {0, 0}), models[m]);
        /* one differing sequence of a pair is enough */
        e = enc(tok, &o, LINE_218, TH_FFFE_E, arena);
        assert_ints(e.input_ids, e.length, INTS(101, 100, 100, 102, the, 102), models[m]);
        assert_offsets(&e, OFFS({0, 0}, {1, 2}, {2, 3}, {0, 0}, {0, 4}, {0, 0}), models[m]);
        /* the fast mode gives its own segmentation, and other ids */
        tka_tokenizer *fast = open_mirror(models[m], FAST);
        e = enc(fast, &o, LINE_218 " " TH_FFFE_E, NULL, arena);
        assert_ints(e.input_ids, e.length, INTS(101, 100, 100, 100, 102), models[m]);
        assert_offsets(&e, OFFS({0, 0}, {0, 1}, {1, 3}, {4, 8}, {0, 0}), models[m]);
        tka_tokenizer_free(fast);
        tka_arena_free(arena);
        tka_tokenizer_free(tok);
    }
}

Test(bert_encode, padding)
{
    tka_tokenizer *tok = open_small(1, SLOW);
    tka_arena *arena = tka_arena_new(0);
    tka_encode_options o;
    tka_encode_options_init(&o);
    o.offsets = true;
    o.strings = true;
    o.padding = TKA_PAD_MAX_LENGTH;
    o.max_length = 6;
    tka_encoding e = enc(tok, &o, "hello", NULL, arena);
    assert_ints(e.input_ids, e.length, INTS(2, 5, 3, 0, 0, 0), "right");
    assert_ints(e.attention_mask, e.length, INTS(1, 1, 1, 0, 0, 0), "attention");
    assert_ints(e.special_tokens_mask, e.length, INTS(1, 0, 1, 1, 1, 1), "special");
    size_t n;
    const char *s = tka_encoding_token(tok, &e, 4, &n);
    cr_assert(n == 5 && memcmp(s, "[PAD]", 5) == 0);
    o.padding_side = TKA_PAD_LEFT;
    e = enc(tok, &o, "hello", NULL, arena);
    assert_ints(e.input_ids, e.length, INTS(0, 0, 0, 2, 5, 3), "left");
    cr_assert_eq(e.offset_ends[4], 5);
    /* longest for one text: itself, rounded up to the multiple */
    o.padding = TKA_PAD_LONGEST;
    o.padding_side = TKA_PAD_RIGHT;
    o.max_length = -1;
    o.pad_to_multiple_of = 4;
    e = enc(tok, &o, "hello world !", NULL, arena);
    cr_assert_eq(e.length, 8);
    /* batches pad to their longest */
    tka_encoder *encoder;
    tka_error err;
    o.pad_to_multiple_of = 0;
    cr_assert_eq(tka_encoder_new(tok, &o, &encoder, &err), TKA_OK);
    tka_encoding v[2];
    cr_assert_eq(tka_encoder_encode(encoder, "hello", 5, NULL, 0, arena, &v[0], &err), TKA_OK);
    cr_assert_eq(
        tka_encoder_encode(encoder, "hello world , world", 19, NULL, 0, arena, &v[1], &err),
        TKA_OK);
    cr_assert_eq(tka_encoder_pad(encoder, v, 2, arena, &err), TKA_OK);
    cr_assert(v[0].length == 6 && v[1].length == 6);
    assert_ints(v[0].input_ids, 6, INTS(2, 5, 3, 0, 0, 0), "batch");
    tka_encoder_free(encoder);
    /* pad id override and pad type id */
    o.pad_id = 9;
    o.pad_type_id = 1;
    o.padding = TKA_PAD_MAX_LENGTH;
    o.max_length = 4;
    e = enc(tok, &o, "a", NULL, arena);
    assert_ints(e.input_ids, e.length, INTS(2, 13, 3, 9), "pad id");
    assert_ints(e.token_type_ids, e.length, INTS(0, 0, 0, 1), "pad type");
    tka_arena_free(arena);
    tka_tokenizer_free(tok);
}

Test(bert_encode, padding_in_parts_equals_padding_the_batch)
{
    /* tka_encoder_pad_width over the batch, then tka_encoder_pad_to on
     * each part (what the Python binding's threads do) == tka_encoder_pad */
    tka_tokenizer *tok = open_small(1, SLOW);
    tka_arena *arena = tka_arena_new(0);
    static const char *const texts[] = {"hello", "hello world , world", "world !"};
    for (int side = 0; side < 2; side++)
        for (int multiple = 0; multiple <= 4; multiple += 4) {
            tka_encode_options o;
            tka_encode_options_init(&o);
            o.padding = TKA_PAD_LONGEST;
            o.padding_side = side ? TKA_PAD_LEFT : TKA_PAD_RIGHT;
            o.pad_to_multiple_of = multiple;
            tka_encoder *encoder;
            tka_error err;
            cr_assert_eq(tka_encoder_new(tok, &o, &encoder, &err), TKA_OK);
            tka_encoding whole[3], parts[3];
            for (int i = 0; i < 3; i++) {
                cr_assert_eq(tka_encoder_encode(encoder, texts[i], strlen(texts[i]), NULL, 0, arena,
                                                &whole[i], &err),
                             TKA_OK);
                parts[i] = whole[i];
            }
            size_t width = tka_encoder_pad_width(encoder, parts, 3);
            cr_assert_eq(width, multiple ? 8u : 6u);
            cr_assert_eq(tka_encoder_pad(encoder, whole, 3, arena, &err), TKA_OK);
            cr_assert_eq(tka_encoder_pad_to(encoder, parts + 1, 2, width, arena, &err), TKA_OK);
            cr_assert_eq(tka_encoder_pad_to(encoder, parts, 1, width, arena, &err), TKA_OK);
            for (int i = 0; i < 3; i++) {
                cr_assert_eq(parts[i].length, width);
                assert_ints(parts[i].input_ids, parts[i].length, whole[i].input_ids,
                            whole[i].length, "input_ids");
                assert_ints(parts[i].attention_mask, parts[i].length, whole[i].attention_mask,
                            whole[i].length, "attention_mask");
                assert_ints(parts[i].token_type_ids, parts[i].length, whole[i].token_type_ids,
                            whole[i].length, "token_type_ids");
            }
            tka_encoder_free(encoder);
        }
    /* no padding: width 0, nothing changes */
    tka_encode_options o;
    tka_encode_options_init(&o);
    tka_encoder *encoder;
    tka_error err;
    cr_assert_eq(tka_encoder_new(tok, &o, &encoder, &err), TKA_OK);
    tka_encoding e;
    cr_assert_eq(tka_encoder_encode(encoder, "hello", 5, NULL, 0, arena, &e, &err), TKA_OK);
    cr_assert_eq(tka_encoder_pad_width(encoder, &e, 1), 0u);
    cr_assert_eq(tka_encoder_pad_to(encoder, &e, 1, 9, arena, &err), TKA_OK);
    cr_assert_eq(e.length, 3u);
    tka_encoder_free(encoder);
    tka_arena_free(arena);
    tka_tokenizer_free(tok);
}

Test(bert_encode, option_checks_like_hf)
{
    /* no pad token: HF's ValueError, word for word */
    static const char v[] = "[UNK]\n[CLS]\n[SEP]\nhello\n";
    const char *dir;
    tka_tokenizer *tok = open_vocab_text(v, sizeof v - 1, 1, SLOW, &dir);
    const char map[] = "{\"pad_token\": null}";
    write_file(dir, "special_tokens_map.json", map, sizeof map - 1);
    tka_tokenizer_free(tok);
    char path[256];
    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    tka_tokenizer_options to;
    tka_tokenizer_options_init(&to);
    tka_error err;
    cr_assert_eq(tka_tokenizer_open(path, &to, &tok, &err), TKA_OK, "%s", err.message);
    tka_encode_options o;
    tka_encode_options_init(&o);
    o.padding = TKA_PAD_LONGEST;
    tka_encoder *e;
    cr_assert_eq(tka_encoder_new(tok, &o, &e, &err), TKA_ERR_REFERENCE);
    cr_assert_str_eq(err.message,
                     "ValueError: Asking to pad but the tokenizer does not have a padding token. "
                     "Please select a token to use as `pad_token` `(tokenizer.pad_token = "
                     "tokenizer.eos_token e.g.)` or add a new pad token via "
                     "`tokenizer.add_special_tokens({'pad_token': '[PAD]'})`.");
    cr_assert_eq(err.ref, TKA_REF_NO_PAD_TOKEN);
    cr_assert_str_eq(err.message + strlen("ValueError: "), tka_ref_message(TKA_REF_NO_PAD_TOKEN));
    o.pad_id = 3; /* an explicit pad id makes it work */
    cr_assert_eq(tka_encoder_new(tok, &o, &e, &err), TKA_OK);
    tka_encoder_free(e);
    tka_tokenizer_free(tok);

    tok = open_small(1, SLOW);
    tka_encode_options_init(&o);
    o.truncation = TKA_TRUNCATE_LONGEST_FIRST;
    o.padding = TKA_PAD_MAX_LENGTH;
    o.max_length = 10;
    o.pad_to_multiple_of = 4;
    cr_assert_eq(tka_encoder_new(tok, &o, &e, &err), TKA_ERR_REFERENCE);
    cr_assert_not_null(strstr(err.message, "not a multiple of pad_to_multiple_of (4)"));
    tka_encode_options_init(&o);
    o.padding = TKA_PAD_MAX_LENGTH;
    cr_assert_eq(tka_encoder_new(tok, &o, &e, &err), TKA_ERR_ARGUMENT);
    /* max_length alone turns on longest_first, as HF does */
    tka_encode_options_init(&o);
    o.max_length = 3;
    tka_encode_options_apply_hf_defaults(&o);
    cr_assert_eq(o.truncation, TKA_TRUNCATE_LONGEST_FIRST);
    /* invalid UTF-8 in the pair is named */
    tka_arena *arena = tka_arena_new(0);
    tka_encoding x;
    tka_encode_options_init(&o);
    cr_assert_eq(tka_encode(tok, &o, "a", 1, "b\xff", 2, arena, &x, &err), TKA_ERR_UTF8);
    cr_assert_not_null(strstr(err.message, "text_pair: invalid UTF-8 at byte offset 1"), "%s",
                       err.message);
    tka_arena_free(arena);
    tka_tokenizer_free(tok);
}

static const char *decoded(tka_tokenizer *tok, const int32_t *ids, size_t n, bool skip, bool clean)
{
    static char buf[1024];
    tka_decode_options o;
    tka_decode_options_init(&o);
    o.skip_special_tokens = skip;
    o.clean_up_tokenization_spaces = clean;
    tka_buf out = {0};
    tka_error err;
    cr_assert_eq(tka_decode(tok, ids, n, &o, &out, &err), TKA_OK, "%s", err.message);
    snprintf(buf, sizeof buf, "%s", out.data ? out.data : "");
    tka_buf_free(&out);
    return buf;
}

Test(bert_decode, join_merge_and_clean_up)
{
    tka_tokenizer *tok = open_small(1, SLOW);
    cr_assert_str_eq(decoded(tok, INTS(2, 10, 11, 12, 7, 6, 8, 3), false, true),
                     "[CLS] unaffable, world! [SEP]");
    cr_assert_str_eq(decoded(tok, INTS(2, 10, 11, 12, 7, 6, 8, 3), true, true),
                     "unaffable, world!");
    cr_assert_str_eq(decoded(tok, INTS(10, 11, 7, 6, 8), false, false), "unaff , world !");
    cr_assert_str_eq(decoded(tok, INTS(17, 24, 18), false, true), "the's"); /* " 's" */
    cr_assert_str_eq(decoded(tok, INTS(5, 9999, -5), false, true), "hello [UNK] [UNK]");
    cr_assert_str_eq(decoded(tok, INTS(16), false, true), "##b"); /* a leading ## stays */
    cr_assert_str_eq(decoded(tok, NULL, 0, false, true), "");
    tka_tokenizer_free(tok);
}

Test(bert_decode, clean_up_rules_in_order)
{
    tka_buf out = {0};
    const char *s = "a . b ? c ! d , e ' f do n't I 'm it 's we 've they 're";
    cr_assert_eq(tka_clean_up_tokenization(s, strlen(s), &out), TKA_OK);
    cr_assert_str_eq(out.data, "a. b? c! d, e'f don't I'm it's we've they're");
    tka_buf_free(&out);
}

/* SentencePiece (ReformerTokenizer) pairs with options.type_ids: transformers
 * 4.9.1's base create_token_type_ids_from_sequences, A 0 and B 1, all 0
 * without special tokens; without the option no token_type_ids at all. */
Test(spm_encode, pair_type_ids_on_request)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared, "TKA_SHARED must point at the shared directory");
    char path[600];
    snprintf(path, sizeof path, "%s/data/spm/reformer-crime-and-punishment", shared);
    tka_tokenizer *tok = NULL;
    tka_error err;
    cr_assert_eq(tka_tokenizer_open(path, NULL, &tok, &err), TKA_OK, "%s", err.message);
    const char *a = "It is a nice day", *b = "today , I want to go";
    tka_tokens ta = {0}, tb = {0};
    cr_assert_eq(tka_tokenize(tok, a, strlen(a), 0, &ta, &err), TKA_OK);
    cr_assert_eq(tka_tokenize(tok, b, strlen(b), 0, &tb, &err), TKA_OK);
    cr_assert(ta.count > 2 && tb.count > 3);
    tka_arena *arena = tka_arena_new(0);
    tka_encode_options o;
    tka_encode_options_init(&o);
    tka_encoding e = enc(tok, &o, a, b, arena);
    cr_assert_null(e.token_type_ids, "no token_type_ids unless asked");
    o.type_ids = true;
    e = enc(tok, &o, a, b, arena);
    cr_assert_eq(e.length, ta.count + tb.count);
    cr_assert_not_null(e.token_type_ids);
    for (size_t i = 0; i < e.length; i++) {
        int32_t id = i < ta.count ? ta.ids[i] : tb.ids[i - ta.count];
        cr_assert_eq(e.input_ids[i], id, "id %zu", i);
        cr_assert_eq(e.token_type_ids[i], i < ta.count ? 0 : 1, "type %zu", i);
    }
    /* truncation keeps the split; padding types 0 */
    o.truncation = TKA_TRUNCATE_ONLY_SECOND;
    o.max_length = (int64_t)ta.count + 2;
    o.padding = TKA_PAD_MAX_LENGTH;
    o.pad_id = 0; /* <unk>: the Reformer model has no pad token */
    e = enc(tok, &o, a, b, arena);
    cr_assert_eq(e.length, ta.count + 2);
    cr_assert(e.token_type_ids[ta.count - 1] == 0 && e.token_type_ids[ta.count] == 1 &&
              e.token_type_ids[ta.count + 1] == 1);
    o.max_length = (int64_t)(ta.count + tb.count) + 2;
    e = enc(tok, &o, a, b, arena);
    cr_assert(e.token_type_ids[e.length - 3] == 1 && e.token_type_ids[e.length - 1] == 0 &&
              e.attention_mask[e.length - 1] == 0);
    /* without special tokens everything is type 0 */
    tka_encode_options_init(&o);
    o.type_ids = true;
    o.add_special_tokens = false;
    e = enc(tok, &o, a, b, arena);
    for (size_t i = 0; i < e.length; i++)
        cr_assert_eq(e.token_type_ids[i], 0);
    tka_tokens_free(&ta);
    tka_tokens_free(&tb);
    tka_arena_free(arena);
    tka_tokenizer_free(tok);
}
