/* tokenizer.json decoders: hand-built chains with the strings HuggingFace's Rust tokenizer
 * (npm tokenizers 0.23.2) decodes, and the real files' decoders on the golden ids. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/text.h"
#include "tokenize/tj_decoder.h"
#include "tokenize/tj_model.h"

static tj_decoder *decoder_from(const char *json, tka_status want, const char *want_msg)
{
    json_t *j = NULL;
    if (json) {
        json_error_t je;
        j = json_loads(json, JSON_DECODE_ANY, &je);
        cr_assert_not_null(j, "bad test JSON: %s", je.text);
    }
    tj_decoder *d = NULL;
    tka_error err = {0};
    tka_status st = tj_decoder_from_json(j, "t.json", &d, &err);
    json_decref(j);
    cr_assert_eq(st, want, "status %d (%s), want %d", st, err.message, want);
    if (want_msg)
        cr_assert_not_null(strstr(err.message, want_msg), "message \"%s\" lacks \"%s\"",
                           err.message, want_msg);
    return d;
}

/* tokens: NULL-terminated */
static void expect(const char *json, const char *const *tokens, const char *want)
{
    tj_decoder *d = decoder_from(json, TKA_OK, NULL);
    size_t n = 0, lens[64];
    while (tokens[n]) {
        lens[n] = strlen(tokens[n]);
        n++;
    }
    tka_buf out = {0};
    tka_error err = {0};
    cr_assert_eq(tj_decoder_decode(d, tokens, lens, n, &out, &err), TKA_OK, "%s", err.message);
    cr_expect_eq(out.len, strlen(want), "%s: length %zu, want %zu", json, out.len, strlen(want));
    cr_expect_str_eq(out.data, want, "%s", json ? json : "null");
    tka_buf_free(&out);
    tj_decoder_free(d);
}

#define T(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(tj_decoders, each_kind_as_rust)
{
    expect(NULL, T("a", "b"), "a b");
    expect("null", T("a", "b"), "a b");
    expect("{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,"
           "\"use_regex\":true}",
           T("\xC4\xA0hello", "\xC4\xA0world", "\xE6\x97\xA5", "\xC3\x83\xC2\xA9", "\xC3\x83"),
           " hello world\xE6\x97\xA5\xC3\xA9\xEF\xBF\xBD");
    expect("{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}",
           T("un", "##aff", "##able", "hello", ".", "do", "not", "isn", "'", "t"),
           "unaffable hello. do not isn ' t");
    expect("{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":false}",
           T("un", "##aff", "hello", ".", "do", "not"), "unaff hello . do not");
    expect("{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"always\","
           "\"split\":true}",
           T("\xE2\x96\x81"
             "a\xE2\x96\x81"
             "b",
             "\xE2\x96\x81hello", "\xE2\x96\x81world\xE2\x96\x81x"),
           "ab hello world x");
    expect("{\"type\":\"Metaspace\",\"replacement\":\"\xE2\x96\x81\",\"prepend_scheme\":\"never\","
           "\"split\":true}",
           T("\xE2\x96\x81"
             "a\xE2\x96\x81"
             "b",
             "\xE2\x96\x81hello"),
           " a b hello");
    expect("{\"type\":\"BPEDecoder\",\"suffix\":\"</w>\"}",
           T("hel", "lo</w>", "world</w>", "x</w>"), "hello world x");
    expect("{\"type\":\"ByteFallback\"}",
           T("<0x61>", "b", "<0xC3>", "<0xA9>", "<0xFF>", "c", "<0x+1>", "<0xe9>"),
           "ab\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
           "c\xEF\xBF\xBD\xEF\xBF\xBD");
    expect("{\"type\":\"Fuse\"}", T("a", "b", " c"), "ab c");
    expect("{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":1}", T(" a ", "  b  ", "c"),
           "a b c");
    expect("{\"type\":\"Replace\",\"pattern\":{\"String\":\"\xE2\x96\x81\"},\"content\":\" \"}",
           T("\xE2\x96\x81"
             "a",
             "b\xE2\x96\x81\xE2\x96\x81"
             "c"),
           " ab  c");
    expect("{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"[0-9]+\"},\"content\":\"#\"}",
           T("a12b3", "x"), "a#b#x");
    expect("{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\","
           "\"cleanup\":true}",
           T("<pad>", "h", "h", "e", "<pad>", "l", "l", "<pad>", "l", "o", "|", "w", "o", "r", "l",
             "d", "."),
           "hello world.");
    expect(
        "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":"
        "\"\xE2\x96\x81\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},"
        "{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}",
        T("\xE2\x96\x81Hello", "\xE2\x96\x81", "<0xE6>", "<0x97>", "<0xA5>", "\xE2\x96\x81world"),
        "Hello \xE6\x97\xA5 world");
}

Test(tj_decoders, errors)
{
    decoder_from("{\"type\":\"Nope\"}", TKA_ERR_UNSUPPORTED, "decoder.type");
    decoder_from("{\"type\":\"Metaspace\",\"replacement\":\"ab\"}", TKA_ERR_FORMAT, "replacement");
    decoder_from("{\"type\":\"Metaspace\",\"replacement\":\"_\",\"add_prefix_space\":false}",
                 TKA_ERR_FORMAT, "add_prefix_space");
    decoder_from(
        "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Fuse\"},{\"type\":\"WordPiece\"}]}",
        TKA_ERR_FORMAT, "decoder.decoders[1]");
    decoder_from("{\"type\":\"Replace\",\"pattern\":{\"Regex\":\"(\"},\"content\":\"\"}",
                 TKA_ERR_UNSUPPORTED, "decoder.pattern");
    /* Rust's WordPiece / CTC decoders have no serde defaults: every field is required */
    decoder_from("{\"type\":\"WordPiece\",\"prefix\":\"##\"}", TKA_ERR_FORMAT,
                 "t.json: decoder.cleanup: missing");
    decoder_from("{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":null}", TKA_ERR_FORMAT,
                 "t.json: decoder.cleanup: expected true or false");
    decoder_from("{\"type\":\"BPEDecoder\",\"suffix\":1}", TKA_ERR_FORMAT,
                 "t.json: decoder.suffix: expected a string");
    decoder_from("{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"cleanup\":true}", TKA_ERR_FORMAT,
                 "t.json: decoder.word_delimiter_token: missing");
    /* Rust panics when Strip cuts past a token: a clear error here */
    tj_decoder *d =
        decoder_from("{\"type\":\"Strip\",\"content\":\" \",\"start\":0,\"stop\":2}", TKA_OK, NULL);
    const char *tok = " ";
    size_t len = 1;
    tka_buf out = {0};
    tka_error err = {0};
    cr_expect_eq(tj_decoder_decode(d, &tok, &len, 1, &out, &err), TKA_ERR_REFERENCE);
    tka_buf_free(&out);
    tj_decoder_free(d);
}

/* Every golden row whose ids are all in the model's vocabulary (added tokens outside it are
 * the framework's): the file's decoder over the model's tokens gives the golden `decoded`. */
Test(tj_decoders, real_files_decode_goldens)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared);
    static const char *const names[] = {"gpt2",   "llama3",           "qwen3",
                                        "llama2", "t5-style-unigram", "bert-base-uncased-fast"};
    static const char *const sets[] = {"botchan", "wagahaiwa", "cjk_heavy", "edge_cases",
                                       "special"};
    for (size_t k = 0; k < 6; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/data/tokenizers/%s/tokenizer.json", shared, names[k]);
        json_error_t je;
        json_t *root = json_load_file(path, 0, &je);
        cr_assert_not_null(root, "%s: %s", path, je.text);
        tj_model *m;
        tj_decoder *d;
        tka_error err = {0};
        cr_assert_eq(tj_model_from_json(json_object_get(root, "model"), path, &m, &err), TKA_OK,
                     "%s", err.message);
        cr_assert_eq(tj_decoder_from_json(json_object_get(root, "decoder"), path, &d, &err), TKA_OK,
                     "%s", err.message);
        size_t checked = 0, rows = 0;
        const char **toks = NULL;
        size_t *lens = NULL, cap = 0;
        tka_buf out = {0};
        for (size_t s = 0; s < 5; s++) {
            snprintf(path, sizeof path, "%s/golden/tokenizer_json/%s.%s.jsonl", shared, names[k],
                     sets[s]);
            FILE *f = fopen(path, "r");
            cr_assert_not_null(f, "%s", path);
            static char line[1 << 20];
            while (fgets(line, sizeof line, f)) {
                json_t *r = json_loads(line, JSON_ALLOW_NUL, NULL);
                cr_assert_not_null(r);
                json_t *ids = json_object_get(r, "ids");
                size_t n = json_array_size(ids);
                if (n > cap) {
                    cap = 2 * n;
                    toks = realloc(toks, cap * sizeof *toks);
                    lens = realloc(lens, cap * sizeof *lens);
                }
                bool all = true;
                for (size_t i = 0; i < n && all; i++) {
                    toks[i] = tj_model_id_to_token(
                        m, (int32_t)json_integer_value(json_array_get(ids, i)), &lens[i]);
                    all = toks[i] != NULL;
                }
                rows++;
                if (all) {
                    out.len = 0;
                    cr_assert_eq(tj_decoder_decode(d, toks, lens, n, &out, &err), TKA_OK, "%s",
                                 err.message);
                    json_t *want = json_object_get(r, "decoded");
                    cr_expect(out.len == json_string_length(want) &&
                                  !memcmp(out.data, json_string_value(want), out.len),
                              "%s %s row %lld: decoded \"%s\"", names[k], sets[s],
                              (long long)json_integer_value(json_object_get(r, "i")), out.data);
                    checked++;
                }
                json_decref(r);
            }
            fclose(f);
        }
        cr_expect_gt(checked, rows / 2, "%s: only %zu of %zu rows checked", names[k], checked,
                     rows);
        cr_log_info("%s: checked %zu of %zu rows", names[k], checked, rows);
        free(toks);
        free(lens);
        tka_buf_free(&out);
        tj_decoder_free(d);
        tj_model_free(m);
        json_decref(root);
    }
}
