/* tokenizer.json models (BPE, WordPiece, Unigram, WordLevel): small models built here with
 * the ids HuggingFace's Rust tokenizer (npm tokenizers 0.23.2) gives, and the real files of
 * ../shared/data/tokenizers on words whose ids the same oracle gave
 * (tests/unit/data/tj_model_words.jsonl, made by bench/tj/make_model_fixture.py) and on the
 * llama2 goldens, whose model input is the whole normalized line. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/text.h"
#include "tokenize/tj_model.h"

static tj_model *model_from(const char *json, tka_status want, const char *want_msg)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    cr_assert_not_null(j, "bad test JSON: %s", je.text);
    tj_model *m = NULL;
    tka_error err = {0};
    tka_status st = tj_model_from_json(j, "t.json", &m, &err);
    json_decref(j);
    cr_assert_eq(st, want, "status %d (%s), want %d", st, err.message, want);
    if (want_msg)
        cr_assert_not_null(strstr(err.message, want_msg), "message \"%s\" lacks \"%s\"",
                           err.message, want_msg);
    return m;
}

/* want: "id@start-end ..." with BYTE offsets */
static void expect(const tj_model *m, const char *word, const char *want)
{
    tj_work *w = tj_work_new();
    tj_pieces p = {0};
    tka_error err = {0};
    /* twice: the second call may come from BPE's word cache */
    for (int round = 0; round < 2; round++) {
        p.count = 0;
        cr_assert_eq(tj_model_tokenize(m, w, word, strlen(word), &p, &err), TKA_OK, "%s",
                     err.message);
        tka_buf got = {0};
        for (size_t i = 0; i < p.count; i++)
            tka_buf_printf(&got, "%s%d@%u-%u", i ? " " : "", p.items[i].id, p.items[i].start,
                           p.items[i].end);
        cr_expect_str_eq(got.data ? got.data : "", want, "word \"%s\" (round %d)", word, round);
        tka_buf_free(&got);
    }
    tj_pieces_free(&p);
    tj_work_free(w);
}

#define V1 "{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"bc\":4,\"abc\":5,\"d\":6,\"cd\":7}"

Test(tj_bpe, merges_by_rank_then_leftmost)
{
    const char *forms[] = {"{\"type\":\"BPE\",\"vocab\":" V1
                           ",\"merges\":[\"b c\",\"a b\",\"ab c\"]}",
                           "{\"type\":\"BPE\",\"vocab\":" V1
                           ",\"merges\":[[\"b\",\"c\"],[\"a\",\"b\"],[\"ab\",\"c\"]]}",
                           /* no type: a model with merges is BPE */
                           "{\"vocab\":" V1 ",\"merges\":[\"b c\",\"a b\",\"ab c\"]}"};
    for (size_t f = 0; f < 3; f++) {
        tj_model *m = model_from(forms[f], TKA_OK, NULL);
        cr_expect_str_eq(tj_model_type(m), "BPE");
        expect(m, "abc", "0@0-1 4@1-3");
        expect(m, "abcd", "0@0-1 4@1-3 6@3-4");
        expect(m, "abab", "3@0-2 3@2-4");
        expect(m, "cab", "2@0-1 3@1-3");
        expect(m, "dcba", "6@0-1 2@1-2 1@2-3 0@3-4");
        expect(m, "", "");
        cr_expect_eq(tj_model_vocab_size(m), 8);
        size_t len;
        cr_expect_str_eq(tj_model_id_to_token(m, 5, &len), "abc");
        cr_expect_eq(len, 3);
        cr_expect_null(tj_model_id_to_token(m, 8, &len));
        cr_expect_eq(tj_model_token_to_id(m, "cd", 2), 7);
        cr_expect_eq(tj_model_token_to_id(m, "ca", 2), -1);
        tj_model_free(m);
    }
}

Test(tj_bpe, version_line_is_not_a_merge)
{
    tj_model *m = model_from("{\"type\":\"BPE\",\"vocab\":" V1
                             ",\"merges\":[\"#version: 0.2\",\"a b\",\"b c\"]}",
                             TKA_OK, NULL);
    expect(m, "abc", "3@0-2 2@2-3");
    tj_model_free(m);
}

#define V2 "{\"<unk>\":0,\"a\":1,\"b\":2,\"<0x78>\":3,\"<0xC3>\":4,\"<0xA9>\":5}"

Test(tj_bpe, byte_fallback_and_unk)
{
    tj_model *fuse = model_from("{\"type\":\"BPE\",\"vocab\":" V2 ",\"merges\":[],\"unk_token\":"
                                "\"<unk>\",\"fuse_unk\":true,\"byte_fallback\":true}",
                                TKA_OK, NULL);
    expect(fuse, "axyb", "1@0-1 3@1-2 0@2-3 2@3-4");
    expect(fuse, "ayzb", "1@0-1 0@1-3 2@3-4");
    /* a byte token goes in before the unknown pending before it */
    expect(fuse, "yx", "3@0-1 0@1-2");
    expect(fuse, "yzx", "3@0-1 0@1-3");
    expect(fuse, "\xC3\xA9", "4@0-1 5@1-2");
    tj_model_free(fuse);
    tj_model *sep = model_from("{\"type\":\"BPE\",\"vocab\":" V2 ",\"merges\":[],\"unk_token\":"
                               "\"<unk>\",\"fuse_unk\":false,\"byte_fallback\":true}",
                               TKA_OK, NULL);
    expect(sep, "ayzb", "1@0-1 0@1-2 0@2-3 2@3-4");
    expect(sep, "yzx", "0@0-1 3@1-2 0@2-3");
    tj_model_free(sep);
    tj_model *nofb = model_from("{\"type\":\"BPE\",\"vocab\":" V2 ",\"merges\":[],\"unk_token\":"
                                "\"<unk>\"}",
                                TKA_OK, NULL);
    expect(nofb, "axyb", "1@0-1 0@1-2 0@2-3 2@3-4");
    tj_model_free(nofb);
    /* no unk_token: unknown chars vanish */
    tj_model *nounk = model_from("{\"type\":\"BPE\",\"vocab\":" V2 ",\"merges\":[]}", TKA_OK, NULL);
    expect(nounk, "axyb", "1@0-1 2@1-2");
    tj_model_free(nounk);
}

Test(tj_bpe, prefix_and_suffix)
{
    tj_model *m = model_from(
        "{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"##b\":1,\"##c</w>\":2,\"ab\":3,\"abc</w>\":4,"
        "\"a</w>\":5,\"##b</w>\":6},\"merges\":[\"a ##b\",\"ab ##c</w>\"],"
        "\"continuing_subword_prefix\":\"##\",\"end_of_word_suffix\":\"</w>\"}",
        TKA_OK, NULL);
    expect(m, "abc", "4@0-3");
    expect(m, "a", "5@0-1");
    expect(m, "ab", "0@0-1 6@1-2");
    tj_model_free(m);
}

Test(tj_bpe, ignore_merges_takes_a_whole_word)
{
    const char *v = "\"vocab\":{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"abc\":4},\"merges\":[\"a b\"]";
    char json[256];
    snprintf(json, sizeof json, "{\"type\":\"BPE\",%s,\"ignore_merges\":true}", v);
    tj_model *m = model_from(json, TKA_OK, NULL);
    expect(m, "abc", "4@0-3");
    expect(m, "abcab", "3@0-2 2@2-3 3@3-5");
    tj_model_free(m);
    snprintf(json, sizeof json, "{\"type\":\"BPE\",%s,\"ignore_merges\":false,\"dropout\":0.0}", v);
    m = model_from(json, TKA_OK, NULL);
    expect(m, "abc", "3@0-2 2@2-3");
    tj_model_free(m);
}

Test(tj_bpe, refuses_what_it_cannot_reproduce)
{
    model_from("{\"type\":\"BPE\",\"vocab\":" V1 ",\"merges\":[],\"dropout\":0.1}",
               TKA_ERR_UNSUPPORTED, "model.dropout");
    model_from("{\"type\":\"BPE\",\"vocab\":" V1 ",\"merges\":[\"a b\",\"a x\"]}", TKA_ERR_FORMAT,
               "model.merges[1]: token \"x\"");
    model_from("{\"type\":\"BPE\",\"vocab\":" V1 ",\"merges\":[\"a b c\"]}", TKA_ERR_FORMAT,
               "model.merges[0]");
    model_from("{\"type\":\"BPE\",\"vocab\":" V1 ",\"merges\":[\"c a\"]}", TKA_ERR_FORMAT,
               "merged token \"ca\"");
    model_from("{\"type\":\"BPE\",\"vocab\":" V1 ",\"merges\":[[\"a\",\"b\"],\"b c\"]}",
               TKA_ERR_FORMAT, "model.merges[1]");
    model_from("{\"type\":\"BPE\",\"vocab\":{\"a\":-1},\"merges\":[]}", TKA_ERR_FORMAT,
               "model.vocab[\"a\"]");
    model_from("{\"type\":\"BPE\",\"vocab\":{\"a\":0}}", TKA_ERR_FORMAT, "merges");
    model_from("{\"type\":\"Nope\"}", TKA_ERR_UNSUPPORTED, "Nope");
    /* an unk_token missing from the vocabulary fails when it is needed, as in Rust */
    tj_model *m = model_from(
        "{\"type\":\"BPE\",\"vocab\":" V1 ",\"merges\":[],\"unk_token\":\"?\"}", TKA_OK, NULL);
    tj_work *w = tj_work_new();
    tj_pieces p = {0};
    tka_error err = {0};
    cr_expect_eq(tj_model_tokenize(m, w, "ab", 2, &p, &err), TKA_OK);
    cr_expect_eq(tj_model_tokenize(m, w, "x", 1, &p, &err), TKA_ERR_REFERENCE);
    tj_pieces_free(&p);
    tj_work_free(w);
    tj_model_free(m);
}

#define M "\xE2\x96\x81"

/* Words cut before each run of "▁" (SentencePiece-style BPE) must give what the whole word
 * gives, and a vocabulary with "a▁" must not be cut. */
Test(tj_bpe, metaspace_chunks)
{
    tj_model *cross = model_from(
        "{\"type\":\"BPE\",\"vocab\":{\"" M "\":0,\"a\":1,\"" M "a\":2,\"a" M "\":3,\"" M M
        "\":4,\"" M M "a\":5},\"merges\":[\"a " M "\",\"" M " a\",\"" M " " M "\",\"" M M " a\"]}",
        TKA_OK, NULL);
    expect(cross, M "a" M "a", "0@0-3 3@3-7 1@7-8");
    expect(cross, M M "a" M "a", "4@0-6 3@6-10 1@10-11");
    expect(cross, "a" M M, "3@0-4 0@4-7");
    tj_model_free(cross);
    tj_model *chunks = model_from("{\"type\":\"BPE\",\"vocab\":{\"" M "\":0,\"a\":1,\"" M
                                  "a\":2,\"" M M "\":4,\"" M M "a\":5,\"<unk>\":6},\"merges\":[\"" M
                                  " a\",\"" M " " M "\",\"" M M " a\"],"
                                  "\"unk_token\":\"<unk>\",\"fuse_unk\":true}",
                                  TKA_OK, NULL);
    expect(chunks, M "a" M "a", "2@0-4 2@4-8");
    expect(chunks, M M "a" M "a", "0@0-3 2@3-7 2@7-11");
    expect(chunks, "a" M M, "1@0-1 4@1-7");
    expect(chunks, "xy" M "zw" M M "a", "6@0-2 0@2-5 6@5-7 0@7-10 2@10-14");
    tj_model_free(chunks);
}

#define WP \
    "{\"[UNK]\":0,\"un\":1,\"##aff\":2,\"##able\":3,\"##a\":4,\"a\":5,\"\xC3\xA9\":6,\"##\xC3\xA9\":7}"

Test(tj_wordpiece, longest_match_and_char_limit)
{
    tj_model *m = model_from("{\"type\":\"WordPiece\",\"vocab\":" WP ",\"unk_token\":\"[UNK]\","
                             "\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":3}",
                             TKA_OK, NULL);
    /* three chars in six bytes are within the limit: it counts chars */
    expect(m, "\xC3\xA9\xC3\xA9\xC3\xA9", "6@0-2 7@2-4 7@4-6");
    expect(m, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", "0@0-8");
    expect(m, "una", "1@0-2 4@2-3");
    expect(m, "x", "0@0-1");
    tj_model_free(m);
    m = model_from("{\"type\":\"WordPiece\",\"vocab\":" WP ",\"unk_token\":\"[UNK]\","
                   "\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":100}",
                   TKA_OK, NULL);
    expect(m, "unaffable", "1@0-2 2@2-5 3@5-9");
    expect(m, "unaffablex", "0@0-10");
    expect(m, "unaaff", "1@0-2 4@2-3 2@3-6");
    tj_model_free(m);
    model_from("{\"type\":\"WordPiece\",\"vocab\":" WP ",\"unk_token\":\"[UNK]\"}", TKA_ERR_FORMAT,
               "continuing_subword_prefix");
}

#define UV \
    "[[\"<unk>\",0.0],[\"a\",-1.0],[\"b\",-2.0],[\"ab\",-1.5],[\"c\",-3.0],[\"<0x78>\",-5.0],[\"bc\",-4.0]]"

Test(tj_unigram, viterbi_fused_unknowns_and_byte_fallback)
{
    tj_model *m = model_from("{\"type\":\"Unigram\",\"vocab\":" UV ",\"unk_id\":0}", TKA_OK, NULL);
    expect(m, "ab", "3@0-2");
    expect(m, "abx", "3@0-2 0@2-3");
    expect(m, "xy", "0@0-2");
    expect(m, "abc", "3@0-2 4@2-3");
    expect(m, "xyab", "0@0-2 3@2-4");
    /* the <unk> piece itself fuses with what follows it only when unknown */
    expect(m, "<unk>a", "0@0-5 1@5-6");
    cr_expect_eq(tj_model_vocab_size(m), 7);
    tj_model_free(m);
    m = model_from("{\"type\":\"Unigram\",\"vocab\":" UV ",\"unk_id\":0,\"byte_fallback\":true}",
                   TKA_OK, NULL);
    expect(m, "x", "5@0-1");
    /* every byte token of a fused run carries the run's offsets */
    expect(m, "xx", "5@0-2 5@0-2");
    expect(m, "xy", "0@0-2");
    expect(m, "ax", "1@0-1 5@1-2");
    tj_model_free(m);
    model_from("{\"type\":\"Unigram\",\"vocab\":" UV ",\"unk_id\":7}", TKA_ERR_FORMAT, "unk_id");
    model_from("{\"type\":\"Unigram\",\"vocab\":[[\"a\"]]}", TKA_ERR_FORMAT, "model.vocab[0]");
    /* no unk_id: an unknown char is an error, as in Rust */
    m = model_from("{\"type\":\"Unigram\",\"vocab\":" UV "}", TKA_OK, NULL);
    tj_work *w = tj_work_new();
    tj_pieces p = {0};
    tka_error err = {0};
    cr_expect_eq(tj_model_tokenize(m, w, "ab", 2, &p, &err), TKA_OK);
    cr_expect_eq(tj_model_tokenize(m, w, "zz", 2, &p, &err), TKA_ERR_REFERENCE);
    tj_pieces_free(&p);
    tj_work_free(w);
    tj_model_free(m);
}

Test(tj_wordlevel, whole_words)
{
    tj_model *m = model_from(
        "{\"type\":\"WordLevel\",\"vocab\":{\"hello\":0,\"<unk>\":1},\"unk_token\":\"<unk>\"}",
        TKA_OK, NULL);
    expect(m, "hello", "0@0-5");
    expect(m, "x", "1@0-1");
    tj_model_free(m);
}

/* ---- the real files ---- */

static char *shared_path(const char *rel)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared, "TKA_SHARED is not set");
    size_t n = strlen(shared) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", shared, rel);
    return p;
}

static tj_model *real_model(const char *name, json_t **root)
{
    char rel[256];
    snprintf(rel, sizeof rel, "data/tokenizers/%s/tokenizer.json", name);
    char *path = shared_path(rel);
    json_error_t je;
    *root = json_load_file(path, 0, &je);
    cr_assert_not_null(*root, "%s: %s", path, je.text);
    tj_model *m = NULL;
    tka_error err = {0};
    cr_assert_eq(tj_model_from_json(json_object_get(*root, "model"), path, &m, &err), TKA_OK, "%s",
                 err.message);
    free(path);
    return m;
}

/* code point holding byte b (the binding reports offsets so) */
static size_t cp_of(const char *s, size_t b)
{
    size_t c = 0;
    for (size_t i = 1; i <= b; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

Test(tj_models_real, oracle_words)
{
    const char *source = getenv("TKA_SOURCE");
    cr_assert_not_null(source);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/unit/data/tj_model_words.jsonl", source);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static const char *const names[] = {"gpt2",   "llama3",           "qwen3",
                                        "llama2", "t5-style-unigram", "bert-base-uncased-fast"};
    enum { N = sizeof names / sizeof names[0] };
    json_t *roots[N];
    tj_model *models[N];
    size_t checked[N] = {0};
    for (size_t i = 0; i < N; i++)
        models[i] = real_model(names[i], &roots[i]);
    tj_work *w = tj_work_new();
    tj_pieces p = {0};
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *r = json_loads(line, JSON_ALLOW_NUL, &je);
        cr_assert_not_null(r, "%s: %s", path, je.text);
        const char *name = json_string_value(json_object_get(r, "model"));
        size_t k = 0;
        while (k < N && strcmp(names[k], name))
            k++;
        cr_assert_lt(k, N, "unknown model %s", name);
        json_t *word = json_object_get(r, "word"), *ids = json_object_get(r, "ids"),
               *offs = json_object_get(r, "offsets");
        const char *s = json_string_value(word);
        tka_error err = {0};
        p.count = 0;
        cr_assert_eq(tj_model_tokenize(models[k], w, s, json_string_length(word), &p, &err), TKA_OK,
                     "%s", err.message);
        bool same = p.count == json_array_size(ids);
        for (size_t i = 0; same && i < p.count; i++) {
            json_t *o = json_array_get(offs, i);
            same = p.items[i].id == json_integer_value(json_array_get(ids, i)) &&
                   (json_int_t)cp_of(s, p.items[i].start) ==
                       json_integer_value(json_array_get(o, 0)) &&
                   (json_int_t)(p.items[i].end ? cp_of(s, p.items[i].end - 1) + 1 : 0) ==
                       json_integer_value(json_array_get(o, 1));
        }
        cr_expect(same, "%s: word %s: got %zu tokens, want %s", name, line, p.count,
                  json_dumps(ids, 0));
        checked[k]++;
        json_decref(r);
    }
    fclose(f);
    for (size_t i = 0; i < N; i++) {
        cr_expect_gt(checked[i], 50, "%s: only %zu words", names[i], checked[i]);
        tj_model_free(models[i]);
        json_decref(roots[i]);
    }
    tj_pieces_free(&p);
    tj_work_free(w);
}

/* llama2 has no pre-tokenizer: a line without added tokens is one word, "▁" + the line with
 * spaces as "▁" (its Prepend + Replace normalizer), so its golden ids are the model's. */
Test(tj_models_real, llama2_golden_lines)
{
    json_t *root;
    tj_model *m = real_model("llama2", &root);
    static const char *const sets[] = {"botchan", "wagahaiwa", "cjk_heavy", "edge_cases"};
    tj_work *w = tj_work_new();
    tj_pieces p = {0};
    tka_buf word = {0};
    size_t checked = 0;
    for (size_t s = 0; s < 4; s++) {
        char rel[256];
        snprintf(rel, sizeof rel, "golden/tokenizer_json/llama2.%s.jsonl", sets[s]);
        char *path = shared_path(rel);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s", path);
        static char line[1 << 20];
        while (fgets(line, sizeof line, f)) {
            json_t *r = json_loads(line, JSON_ALLOW_NUL, NULL);
            cr_assert_not_null(r);
            json_t *text = json_object_get(r, "text");
            const char *t = json_string_value(text);
            size_t n = json_string_length(text);
            if (json_is_true(json_object_get(r, "add_special_tokens")) || n == 0 ||
                memchr(t, '<', n)) {
                json_decref(r);
                continue;
            }
            word.len = 0;
            tka_buf_append_str(&word, "\xE2\x96\x81");
            for (size_t i = 0; i < n; i++)
                if (t[i] == ' ')
                    tka_buf_append_str(&word, "\xE2\x96\x81");
                else
                    tka_buf_append_char(&word, t[i]);
            tka_error err = {0};
            p.count = 0;
            cr_assert_eq(tj_model_tokenize(m, w, word.data, word.len, &p, &err), TKA_OK, "%s",
                         err.message);
            json_t *ids = json_object_get(r, "ids");
            bool same = p.count == json_array_size(ids);
            for (size_t i = 0; same && i < p.count; i++)
                same = p.items[i].id == json_integer_value(json_array_get(ids, i));
            cr_expect(same, "llama2 %s row %lld differs", sets[s],
                      (long long)json_integer_value(json_object_get(r, "i")));
            checked++;
            json_decref(r);
        }
        fclose(f);
        free(path);
    }
    cr_expect_gt(checked, 1000, "only %zu lines", checked);
    tka_buf_free(&word);
    tj_pieces_free(&p);
    tj_work_free(w);
    tj_model_free(m);
    json_decref(root);
}
