/* libFuzzer target: encoding arbitrary text with loaded tokenizer.json pipelines. The first
 * byte picks one: a hand-made BPE exercising every normalizer, Split behaviours, added
 * tokens with lstrip / rstrip / single_word, TemplateProcessing and a decoder chain; a
 * WordPiece with BertNormalizer; the ByteLevel normalizer, CharDelimiterSplit and FixedLength
 * with CTC / Replace / Strip decoders (a Strip that cannot cut past a token: Rust panics there,
 * tokalign returns an error); and, when $TKA_SHARED (or ../shared) has them, the gpt2,
 * llama2, t5-style-unigram and bert-base-uncased-fast files. Checked: no crash; offsets
 * ordered and within the text; type ids 0/1 (pair) ; decode works; truncation with a stride
 * and overflow (lengths from the first byte): the kept part within max_length. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokalign/text.h"
#include "tokenize/tj_tokenizer.h"

#define MAX_TOK 8
static tj_tokenizer *toks[MAX_TOK];
static size_t n_toks;

static const char bpe_json[] =
    "{\"added_tokens\": ["
    " {\"id\": 10, \"content\": \"<s>\", \"special\": true, \"normalized\": false,"
    "  \"lstrip\": true, \"rstrip\": true, \"single_word\": false},"
    " {\"id\": 11, \"content\": \"ab\", \"special\": false, \"normalized\": true,"
    "  \"lstrip\": false, \"rstrip\": false, \"single_word\": true},"
    " {\"id\": 12, \"content\": \"<s>x\", \"special\": true, \"normalized\": false}],"
    " \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": ["
    "  {\"type\": \"NFKC\"}, {\"type\": \"Lowercase\"}, {\"type\": \"StripAccents\"},"
    "  {\"type\": \"Replace\", \"pattern\": {\"Regex\": \"\\\\s{2,}\"}, \"content\": \" \"},"
    "  {\"type\": \"Strip\", \"strip_left\": true, \"strip_right\": false},"
    "  {\"type\": \"Prepend\", \"prepend\": \"_\"}]},"
    " \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": ["
    "  {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(?i:'s|'t)|\\\\p{L}+|\\\\p{N}{1,3}|\\\\s+(?!\\\\S)\"},"
    "   \"behavior\": \"Isolated\", \"invert\": false},"
    "  {\"type\": \"Punctuation\", \"behavior\": \"MergedWithNext\"},"
    "  {\"type\": \"Digits\", \"individual_digits\": false},"
    "  {\"type\": \"UnicodeScripts\"},"
    "  {\"type\": \"Split\", \"pattern\": {\"String\": \"a\"}, \"behavior\": \"Contiguous\", \"invert\": true},"
    "  {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": false}]},"
    " \"post_processor\": {\"type\": \"Sequence\", \"processors\": ["
    "  {\"type\": \"ByteLevel\", \"trim_offsets\": true, \"add_prefix_space\": true},"
    "  {\"type\": \"TemplateProcessing\","
    "   \"single\": [{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}],"
    "   \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 1}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}],"
    "   \"special_tokens\": {\"<s>\": {\"id\": \"<s>\", \"ids\": [10], \"tokens\": [\"<s>\"]}}}]},"
    " \"decoder\": {\"type\": \"ByteLevel\"},"
    " \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"fuse_unk\": false,"
    "  \"byte_fallback\": false, \"vocab\": {\"a\": 0, \"b\": 1, \"c\": 2, \"\xc4\xa0\": 3, \"ab\": 4,"
    "  \"\xc4\xa0"
    "a\": 5, \"_\": 6, \"1\": 7, \"x\": 8, \"bc\": 9},"
    "  \"merges\": [\"a b\", \"\xc4\xa0 a\", \"b c\"]}}";

static const char wp_json[] =
    "{\"added_tokens\": [{\"id\": 0, \"content\": \"[UNK]\", \"special\": true},"
    " {\"id\": 1, \"content\": \"[CLS]\", \"special\": true}, {\"id\": 2, \"content\": \"[SEP]\", \"special\": true}],"
    " \"normalizer\": {\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true,"
    "  \"strip_accents\": null, \"lowercase\": true},"
    " \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"},"
    " \"post_processor\": {\"type\": \"BertProcessing\", \"sep\": [\"[SEP]\", 2], \"cls\": [\"[CLS]\", 1]},"
    " \"decoder\": {\"type\": \"WordPiece\", \"prefix\": \"##\", \"cleanup\": true},"
    " \"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\","
    "  \"max_input_chars_per_word\": 100, \"vocab\": {\"[UNK]\": 0, \"[CLS]\": 1, \"[SEP]\": 2,"
    "  \"a\": 3, \"##b\": 4, \"cafe\": 5, \"\xe6\x97\xa5\": 6, \",\": 7}}}";

/* The ByteLevel normalizer, CharDelimiterSplit, FixedLength, Metaspace "first" without
 * split, and the CTC / Strip / Replace decoders. */
static const char misc_json[] =
    "{\"added_tokens\": [{\"id\": 0, \"content\": \"[UNK]\", \"special\": true}],"
    " \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFD\"},"
    "  {\"type\": \"ByteLevel\"}]},"
    " \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": ["
    "  {\"type\": \"CharDelimiterSplit\", \"delimiter\": \"\xc4\xa0\"},"
    "  {\"type\": \"FixedLength\", \"length\": 3},"
    "  {\"type\": \"Metaspace\", \"replacement\": \"a\", \"prepend_scheme\": \"first\", \"split\": false}]},"
    " \"decoder\": {\"type\": \"Sequence\", \"decoders\": ["
    "  {\"type\": \"CTC\", \"pad_token\": \"[UNK]\", \"word_delimiter_token\": \"a\", \"cleanup\": true},"
    "  {\"type\": \"Replace\", \"pattern\": {\"Regex\": \"b+\"}, \"content\": \"B\"},"
    "  {\"type\": \"Strip\", \"content\": \" \", \"start\": 1, \"stop\": 0}]},"
    " \"model\": {\"type\": \"WordLevel\", \"unk_token\": \"[UNK]\", \"vocab\": {\"[UNK]\": 0,"
    "  \"a\": 1, \"ab\": 2, \"abc\": 3, \"b\": 4}}}";

static void add_json(const char *s)
{
    json_error_t je;
    json_t *root = json_loads(s, 0, &je);
    tka_error err;
    if (!root ||
        tj_tokenizer_from_json(root, "fuzz-pipeline.json", &toks[n_toks], &err) != TKA_OK) {
        fprintf(stderr, "fuzz_tj_encode: built-in pipeline: %s\n", root ? err.message : je.text);
        abort();
    }
    json_decref(root);
    n_toks++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    add_json(bpe_json);
    add_json(wp_json);
    add_json(misc_json);
    const char *shared = getenv("TKA_SHARED") ? getenv("TKA_SHARED") : "../shared";
    static const char *const names[] = {"gpt2", "llama2", "t5-style-unigram",
                                        "bert-base-uncased-fast"};
    for (size_t i = 0; i < 4 && n_toks < MAX_TOK; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/data/tokenizers/%s/tokenizer.json", shared, names[i]);
        tka_error err;
        if (tj_tokenizer_load(path, &toks[n_toks], &err) == TKA_OK)
            n_toks++;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    tj_tokenizer *t = toks[data[0] % n_toks];
    const char *text = (const char *)data + 1;
    size_t len = size - 1, chars = 0, bad;
    if (!tka_utf8_valid_count(text, len, &bad, &chars))
        return 0; /* the public API refuses ill-formed UTF-8 before this point */
    /* second half as the pair when the split falls on a char boundary */
    size_t half = len / 2;
    while (half < len && ((unsigned char)text[half] & 0xC0) == 0x80)
        half++;
    tj_enc e = {0};
    tka_buf out = {0};
    tka_error err;
    for (int mode = 0; mode < 2; mode++) {
        bool pair = mode == 1;
        size_t la = pair ? half : len;
        size_t ca = tka_utf8_count(text, la),
               cb = pair ? tka_utf8_count(text + half, len - half) : 0;
        if (tj_tokenizer_encode(t, text, la, pair ? text + half : NULL, pair ? len - half : 0,
                                mode == 0, -1, TKA_TRUNCATE_NONE, &e, &err) != TKA_OK)
            abort();
        for (size_t i = 0; i < e.n; i++) {
            uint32_t limit = e.type_ids[i] == 0 ? (uint32_t)ca : (uint32_t)(ca > cb ? ca : cb);
            if (e.s[i] > e.e[i] || (e.special[i] == 0 && e.e[i] > limit) || e.type_ids[i] < 0 ||
                e.type_ids[i] > 1)
                abort();
        }
        out.len = 0;
        if (tj_tokenizer_decode(t, e.ids, e.n, mode == 1, &out, &err) != TKA_OK)
            abort();
    }
    /* truncation with stride and overflow: max_length 4..19, stride below the window */
    size_t max_length = 4 + (data[0] >> 4), stride = (data[0] >> 2) & 1;
    tj_ovf ovf = {0};
    tka_status st =
        tj_tokenizer_encode_ovf(t, text, half, text + half, len - half, true, (int64_t)max_length,
                                TKA_TRUNCATE_LONGEST_FIRST, data[0] & 2, stride, &e, &ovf, &err);
    if (st == TKA_OK) {
        if (e.n > max_length)
            abort();
        /* (an overflow may be longer: a sequence truncated to 0 overflows whole) */
        for (size_t k = 0; k < ovf.n; k++)
            for (size_t i = 0; i < ovf.v[k].n; i++)
                if (ovf.v[k].s[i] > ovf.v[k].e[i])
                    abort();
    } else if (st != TKA_ERR_ARGUMENT) /* a stride the window cannot hold: the Rust panic */
        abort();
    tj_ovf_free(&ovf);
    tj_enc_free(&e);
    tka_buf_free(&out);
    return 0;
}
