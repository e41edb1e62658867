/* tj_bulk: the scanner of a BPE tokenizer.json's vocab and merges. What it reads equals
 * jansson's values; what it is not sure of goes to jansson, so tj_tokenizer_from_buffer
 * gives the messages and positions the jansson-only reader gives. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_error.h"
#include "tokenize/tj_bulk.h"
#include "tokenize/tj_model.h"
#include "tokenize/tj_tokenizer.h"

static bool scans(const char *json)
{
    tj_bulk b;
    bool ok = tj_bulk_scan(json, strlen(json), &b);
    tj_bulk_free(&b);
    return ok;
}

/* Loads json both ways: through the scanner and through jansson whole; the statuses and
 * messages must agree. Returns the status, the message in msg. */
static tka_status load_both(const char *json, char *msg, size_t cap)
{
    tj_tokenizer *t = NULL, *ref = NULL;
    tka_error err = {0}, ref_err = {0};
    tka_status st = tj_tokenizer_from_buffer(json, strlen(json), "t.json", &t, &err);
    json_error_t je;
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &je);
    tka_status ref_st = root ? tj_tokenizer_from_json(root, "t.json", &ref, &ref_err)
                             : tka_json_error(&ref_err, "t.json", &je, NULL);
    json_decref(root);
    cr_assert_eq(st, ref_st, "status %d (%s), jansson alone %d (%s)", st, err.message, ref_st,
                 ref_err.message);
    cr_assert_str_eq(err.message, ref_err.message);
    snprintf(msg, cap, "%s", err.message);
    tj_tokenizer_free(t);
    tj_tokenizer_free(ref);
    return st;
}

#define HEAD "{\"model\":{\"type\":\"BPE\",\"vocab\":"

Test(tj_bulk, reads_vocab_and_merges_as_jansson)
{
    const char *json =
        "{\"version\":\"1.0\",\"model\":{\"merges\":[[\"\\u0120\",\"t\"],[\"\\u0120t\","
        "\"\\ud83d\\ude00\"]],\"dropout\":null,\"type\":\"BPE\",\"vocab\":{\"\\u0120\":0,"
        "\"t\":1,\"\\u0120t\":2,\"\\\"q\\\\/\\n\":3,\"\\ud83d\\ude00\":4,\"\xc4\xa0t\xf0\x9f"
        "\x98\x80\":5}},\"decoder\":{\"x\":[1.5e-3,-0,true,false,null,{}]}}";
    tj_bulk b;
    cr_assert(tj_bulk_scan(json, strlen(json), &b));
    cr_assert_eq(b.n_vocab, 6);
    cr_assert(b.merge_pairs);
    cr_assert_eq(b.n_merges, 2);
    const char *toks[] = {
        "\xc4\xa0", "t", "\xc4\xa0t", "\"q\\/\n", "\xf0\x9f\x98\x80", "\xc4\xa0t\xf0\x9f\x98\x80"};
    for (size_t i = 0; i < 6; i++) {
        cr_assert_eq(b.vocab_len[i], strlen(toks[i]), "token %zu", i);
        cr_assert(!memcmp(b.vocab_tok[i], toks[i], b.vocab_len[i]), "token %zu", i);
        cr_assert_eq(b.vocab_id[i], (int32_t)i);
        cr_assert_eq(tj_vocab_find(&b.vocab, toks[i], strlen(toks[i])), (int32_t)i);
    }
    cr_assert_eq(b.merges[3].len, 4);
    cr_assert(!memcmp(b.merges[3].s, "\xf0\x9f\x98\x80", 4));
    size_t n = 0;
    char *rest = tj_bulk_splice(json, strlen(json), &b, &n);
    cr_assert_str_eq(rest,
                     "{\"version\":\"1.0\",\"model\":{\"merges\":[],\"dropout\":null,\"type\":"
                     "\"BPE\",\"vocab\":{}},\"decoder\":{\"x\":[1.5e-3,-0,true,false,null,{}]}}");
    cr_assert_eq(n, strlen(rest));
    free(rest);
    tj_bulk_free(&b);
    cr_assert(scans(HEAD "{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\"]}}"));
    cr_assert(
        scans(" \n{\"model\" : { \"vocab\" : { } , \"merges\" : [ ] ,\"type\":\"BPE\" } }\r\n"));
    cr_assert(scans(HEAD "{\"a\":0,\"b\":0,\"c\":65537},\"merges\":[]}}"));
}

Test(tj_bulk, leaves_to_jansson_what_it_is_not_sure_of)
{
    const char *refused[] = {
        HEAD "{\"a\":0,\"a\":1},\"merges\":[]}}",              /* duplicate token */
        HEAD "{\"a\":0,\"a\":0},\"merges\":[]}}",              /* ... with one id */
        HEAD "{\"a\":0},\"merges\":[]},\"model\":{}}",         /* duplicate model */
        HEAD "{},\"merges\":[],\"vocab\":{}}}",                /* duplicate vocab */
        HEAD "{\"a\":01},\"merges\":[]}}",                     /* leading zero */
        HEAD "{\"a\":-1},\"merges\":[]}}",                     /* negative id */
        HEAD "{\"a\":1.0},\"merges\":[]}}",                    /* real id */
        HEAD "{\"a\":1e2},\"merges\":[]}}",                    /* real id */
        HEAD "{\"a\":2147483646},\"merges\":[]}}",             /* far beyond the tokens */
        HEAD "{\"a\":2147483647},\"merges\":[]}}",             /* id too large */
        HEAD "{\"a\":99999999999999999999},\"merges\":[]}}",   /* beyond json_int_t */
        HEAD "{\"\\ud800\":0},\"merges\":[]}}",                /* lone high surrogate */
        HEAD "{\"\\udc00\":0},\"merges\":[]}}",                /* lone low surrogate */
        HEAD "{\"\\ud800\\u0041\":0},\"merges\":[]}}",         /* bad low surrogate */
        HEAD "{\"a\\u0000\":0},\"merges\":[]}}",               /* NUL */
        HEAD "{\"a\\x\":0},\"merges\":[]}}",                   /* bad escape */
        HEAD "{\"a\\u12g4\":0},\"merges\":[]}}",               /* bad hex */
        HEAD "{\"\xc0\xaf\":0},\"merges\":[]}}",               /* overlong UTF-8 */
        HEAD "{\"\xed\xa0\x80\":0},\"merges\":[]}}",           /* UTF-8 surrogate */
        HEAD "{\"\xf4\x90\x80\x80\":0},\"merges\":[]}}",       /* above U+10FFFF */
        HEAD "{\"\xc3\":0},\"merges\":[]}}",                   /* cut sequence */
        HEAD "{\"a\tb\":0},\"merges\":[]}}",                   /* control character */
        HEAD "{\"a\":0},\"merges\":[\"a a\",[\"a\",\"a\"]]}}", /* mixed merges */
        HEAD "{\"a\":0},\"merges\":[[\"a\",\"a\",\"a\"]]}}",   /* a triple */
        HEAD "{\"a\":0},\"merges\":[1]}}",                     /* not a string */
        HEAD "{\"a\":0},\"merges\":[\"a a\",]}}",              /* trailing comma */
        HEAD "{\"a\":0,},\"merges\":[]}}",                     /* trailing comma */
        HEAD "{\"a\":0},\"merges\":[]}} x",                    /* data after the end */
        HEAD "{\"a\":0},\"merges\":[]}",                       /* cut short */
        HEAD "{\"a\":0},\"merges\":[]},\"x\":tru}",            /* bad literal */
        HEAD "{\"a\":0},\"merges\":[]},\"x\":[1,-]}",          /* bad number */
        "{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"a\":0},\"merges\":[]}}", /* not BPE */
        "{\"model\":{\"vocab\":{\"a\":0},\"merges\":[]}}",                        /* no type */
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0}}}",                     /* no merges */
        "[{\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}]", /* not an object */
    };
    char msg[1024];
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        cr_expect(!scans(refused[i]), "case %zu: %s", i, refused[i]);
        load_both(refused[i], msg, sizeof msg);
    }
    /* deep nesting elsewhere: jansson's to judge */
    char deep[400] = HEAD "{},\"merges\":[]},\"x\":";
    for (int i = 0; i < 70; i++)
        strcat(deep, "[");
    for (int i = 0; i < 70; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    cr_expect(!scans(deep));
    cr_expect(scans(HEAD "{},\"merges\":[]},\"x\":[[[[[[]]]]]]}"));
}

Test(tj_bulk, messages_and_positions_of_the_original)
{
    char msg[1024];
    /* a duplicate token: jansson's message at its place in the file */
    cr_assert_eq(load_both(HEAD "{\"a\":0,\n\"a\":1},\"merges\":[]}}", msg, sizeof msg),
                 TKA_ERR_FORMAT);
    cr_expect(strstr(msg, "line 2") && strstr(msg, "duplicate object key"), "%s", msg);
    /* a syntax error after the scanned sections: the line of the original, not of the
     * spliced copy */
    cr_assert_eq(load_both(HEAD "{\"a\":0,\n\"b\":1},\n\"merges\":[\n\"a b\"]},\n\"x\":[1,]}", msg,
                           sizeof msg),
                 TKA_ERR_FORMAT);
    cr_expect(strstr(msg, "line 5"), "%s", msg);
    /* the loader's own messages on scanned sections */
    cr_assert_eq(load_both(HEAD "{\"a\":0,\"b\":1},\"merges\":[\"a b\"]}}", msg, sizeof msg),
                 TKA_ERR_FORMAT);
    cr_expect(strstr(msg, "model.merges[0]: merged token \"ab\" is not in the vocabulary"), "%s",
              msg);
    cr_assert_eq(load_both(HEAD "{\"a\":0,\"ab\":1},\"merges\":[[\"a\",\"c\"]]}}", msg, sizeof msg),
                 TKA_ERR_FORMAT);
    cr_expect(strstr(msg, "model.merges[0]: token \"c\" is not in the vocabulary"), "%s", msg);
    cr_assert_eq(load_both(HEAD "{\"a\":0},\"merges\":[\"a  a\"]}}", msg, sizeof msg),
                 TKA_ERR_FORMAT);
    cr_expect(strstr(msg, "is not two tokens separated by one space"), "%s", msg);
    cr_assert_eq(load_both(HEAD "{\"a\":0,\"b\":70000000},\"merges\":[]}}", msg, sizeof msg),
                 TKA_ERR_LIMIT);
    cr_assert_eq(load_both(HEAD "{\"a\":0,\"b\":-1},\"merges\":[]}}", msg, sizeof msg),
                 TKA_ERR_FORMAT);
    cr_expect(strstr(msg, "model.vocab[\"b\"]: expected an id"), "%s", msg);
    /* an error before the model still comes first */
    cr_assert_eq(load_both("{\"normalizer\":{\"type\":\"Nope\"},"
                           "\"model\":{\"type\":\"BPE\","
                           "\"vocab\":{\"a\":0},\"merges\":[\"a x\"]}}",
                           msg, sizeof msg),
                 TKA_ERR_UNSUPPORTED);
    cr_assert_eq(load_both(HEAD "{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\",\"#version x\"],"
                                "\"dropout\":0.5}}",
                           msg, sizeof msg),
                 TKA_ERR_UNSUPPORTED);
    cr_assert_eq(load_both(HEAD "{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\",\"#version x\"]}}",
                           msg, sizeof msg),
                 TKA_OK);
}

/* The real files: read by the scanner (the point of it) into the same model. */
Test(tj_bulk, real_files_take_the_scan)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared, "TKA_SHARED is not set");
    const char *models[] = {"gpt2", "llama3", "qwen3", "llama2"};
    for (size_t i = 0; i < 4; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/data/tokenizers/%s/tokenizer.json", shared, models[i]);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        rewind(f);
        char *buf = malloc((size_t)size);
        cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
        fclose(f);
        tj_bulk b;
        cr_expect(tj_bulk_scan(buf, (size_t)size, &b), "%s", models[i]);
        tj_bulk_free(&b);
        tj_tokenizer *t = NULL, *ref = NULL;
        tka_error err = {0};
        cr_assert_eq(tj_tokenizer_from_buffer(buf, (size_t)size, path, &t, &err), TKA_OK, "%s",
                     err.message);
        json_error_t je;
        json_t *root = json_loadb(buf, (size_t)size, JSON_REJECT_DUPLICATES, &je);
        cr_assert_eq(tj_tokenizer_from_json(root, path, &ref, &err), TKA_OK, "%s", err.message);
        json_decref(root);
        static const char text[] =
            "Hello  world! caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac 12345 'll \xf0\x9f\x98\x80";
        tj_enc e = {0}, r = {0};
        cr_assert_eq(tj_tokenizer_encode(t, text, strlen(text), NULL, 0, true, -1,
                                         TKA_TRUNCATE_NONE, &e, &err),
                     TKA_OK);
        cr_assert_eq(tj_tokenizer_encode(ref, text, strlen(text), NULL, 0, true, -1,
                                         TKA_TRUNCATE_NONE, &r, &err),
                     TKA_OK);
        cr_assert_eq(e.n, r.n, "%s", models[i]);
        cr_assert(!memcmp(e.ids, r.ids, e.n * sizeof *e.ids), "%s", models[i]);
        tj_enc_free(&e);
        tj_enc_free(&r);
        tj_tokenizer_free(t);
        tj_tokenizer_free(ref);
        free(buf);
    }
}
