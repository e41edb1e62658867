/* Unit tests of the vocabulary stage: vocab.txt loading with HF's line,
 * duplicate and special-token semantics (the trie itself: test_trie.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "bert_test_util.h"
#include "tokenize/vocab.h"

Test(bert_vocab, universal_newlines_and_duplicates)
{
    /* CRLF and a lone CR end lines (Python text-mode readlines); U+2028
     * does not; "a" repeats: the later id wins, the earlier decodes as
     * [UNK]; an empty line keeps its id. */
    const char text[] = "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\na\n\nx\xe2\x80\xa8y\na";
    const char *dir = test_dir();
    const char *path = write_file(dir, "vocab.txt", text, sizeof text - 1);
    tka_vocab v;
    tka_buf warnings = {0};
    tka_error err;
    cr_assert_eq(tka_vocab_load(&v, path, &warnings, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(v.n_ids, 8);
    cr_assert_eq(v.n_duplicates, 1);
    cr_assert_eq(v.n_unique, 7);
    cr_assert_eq(v.n_empty, 1);
    cr_assert_eq(tka_vocab_find(&v, "[UNK]", 5), 1);
    cr_assert_eq(tka_vocab_find(&v, "[CLS]", 5), 2);
    cr_assert_eq(tka_vocab_find(&v, "a", 1), 7);
    cr_assert_eq(tka_vocab_find(&v, "", 0), 5);
    cr_assert_eq(tka_vocab_find(&v, "x\xe2\x80\xa8y", 5), 6);
    cr_assert(v.shadowed[4]);
    cr_assert_not_null(strstr(warnings.data, "line 5 repeats the token of line 8"), "%s",
                       warnings.data);
    cr_assert_not_null(strstr(warnings.data, "1 empty line"), "%s", warnings.data);
    tka_vocab_free(&v);
    tka_buf_free(&warnings);

    /* through the tokenizer: id 4 decodes as the unknown token */
    tka_tokenizer_options o;
    tka_tokenizer_options_init(&o);
    tka_tokenizer *tok;
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_OK, "%s", err.message);
    size_t n;
    const char *s = tka_tokenizer_id_to_token(tok, 4, &n);
    cr_assert(n == 5 && memcmp(s, "[UNK]", 5) == 0);
    s = tka_tokenizer_id_to_token(tok, 7, &n);
    cr_assert(n == 1 && s[0] == 'a');
    cr_assert_null(tka_tokenizer_id_to_token(tok, 99, &n));
    cr_assert_null(tka_tokenizer_id_to_token(tok, -1, &n));
    /* [MASK] is missing: HF's _add_tokens gives it len(tokenizer), i.e.
     * the 7 distinct tokens, which here collides with line 8's id as in HF */
    cr_assert_eq(tka_tokenizer_special_id(tok, TKA_SPECIAL_MASK), 7);
    cr_assert_not_null(strstr(tka_tokenizer_warnings(tok), "\"[MASK]\" is not in the vocabulary"));
    tka_tokenizer_free(tok);
}

Test(bert_vocab, invalid_utf8_names_line_and_offset)
{
    const char text[] = "[PAD]\n[UNK]\nab\xff\n";
    const char *dir = test_dir();
    const char *path = write_file(dir, "vocab.txt", text, sizeof text - 1);
    tka_vocab v;
    tka_error err;
    cr_assert_eq(tka_vocab_load(&v, path, NULL, &err), TKA_ERR_UTF8);
    cr_assert_not_null(strstr(err.message, "line 3"), "%s", err.message);
    cr_assert_not_null(strstr(err.message, "byte offset 14"), "%s", err.message);
    cr_assert_not_null(strstr(err.message, path), "%s", err.message);
}

Test(bert_vocab, binary_and_missing_files)
{
    static const char bin[] = {0x7F, 'E', 'L', 'F', 2, 1, 1, 0, (char)0x80, (char)0xFE, 0};
    const char *dir = test_dir();
    const char *path = write_file(dir, "vocab.txt", bin, sizeof bin);
    tka_tokenizer *tok;
    tka_error err;
    tka_tokenizer_options o;
    tka_tokenizer_options_init(&o);
    cr_assert_neq(tka_tokenizer_open(path, &o, &tok, &err), TKA_OK);
    cr_assert_not_null(strstr(err.message, "vocab.txt"), "%s", err.message);
    cr_assert_neq(tka_tokenizer_open("no/such/vocab.txt", &o, &tok, &err), TKA_OK);
    cr_assert_not_null(strstr(err.message, "no/such/vocab.txt"), "%s", err.message);
    /* a directory without a vocabulary */
    cr_assert_neq(tka_tokenizer_open(dir, &o, &tok, &err), TKA_OK);
}

Test(bert_vocab, missing_required_specials)
{
    tka_tokenizer_options o;
    tka_tokenizer_options_init(&o);
    tka_tokenizer *tok;
    tka_error err;
    const char no_unk[] = "[PAD]\n[CLS]\n[SEP]\nhello\n";
    const char *dir = test_dir();
    const char *path = write_file(dir, "vocab.txt", no_unk, sizeof no_unk - 1);
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_ERR_FORMAT);
    cr_assert_not_null(strstr(err.message, "unk_token \"[UNK]\""), "%s", err.message);
    const char no_cls[] = "[PAD]\n[UNK]\n[SEP]\nhello\n";
    path = write_file(dir, "vocab.txt", no_cls, sizeof no_cls - 1);
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_ERR_FORMAT);
    cr_assert_not_null(strstr(err.message, "cls_token \"[CLS]\""), "%s", err.message);
    const char empty[] = "";
    path = write_file(dir, "vocab.txt", empty, 0);
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_ERR_FORMAT);
}

Test(bert_vocab, config_files)
{
    /* tokenizer_config.json sets do_lower_case, special_tokens_map.json
     * renames the unknown token and removes the pad token */
    const char vocab[] = "<pad>\n<unk>\n[CLS]\n[SEP]\n[MASK]\nhello\n";
    const char *dir = test_dir();
    char path[256];
    snprintf(path, sizeof path, "%s", write_file(dir, "vocab.txt", vocab, sizeof vocab - 1));
    const char cfg[] = "{\"do_lower_case\": false, \"unk_token\": \"<unk>\"}";
    write_file(dir, "tokenizer_config.json", cfg, sizeof cfg - 1);
    const char map[] = "{\"unk_token\": {\"content\": \"<unk>\", \"lstrip\": false}, "
                       "\"pad_token\": null}";
    write_file(dir, "special_tokens_map.json", map, sizeof map - 1);
    tka_tokenizer_options o;
    tka_tokenizer_options_init(&o);
    tka_tokenizer *tok;
    tka_error err;
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_OK, "%s", err.message);
    cr_assert_str_eq(joined(tok, "hello Hello"), "hello <unk>");
    cr_assert_eq(tka_tokenizer_special_id(tok, TKA_SPECIAL_UNK), 1);
    cr_assert_eq(tka_tokenizer_special_id(tok, TKA_SPECIAL_PAD), -1);
    tka_tokenizer_free(tok);
    o.do_lower_case = 1; /* the option wins over the file */
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_OK, "%s", err.message);
    cr_assert_str_eq(joined(tok, "hello Hello"), "hello hello");
    tka_tokenizer_free(tok);

    const char bad[] = "{\"do_lower_case\": \"yes\"}";
    write_file(dir, "tokenizer_config.json", bad, sizeof bad - 1);
    o.do_lower_case = -1;
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_ERR_FORMAT);
    cr_assert_not_null(strstr(err.message, "do_lower_case"), "%s", err.message);
    const char broken[] = "{\"do_lower_case\": tru";
    write_file(dir, "tokenizer_config.json", broken, sizeof broken - 1);
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_ERR_FORMAT);
    cr_assert_not_null(strstr(err.message, "tokenizer_config.json: line 1"), "%s", err.message);
}

Test(bert_vocab, known_models_from_mirror)
{
    tka_tokenizer *u = open_mirror("bert-base-uncased", TKA_COMPAT_SLOW);
    cr_assert_eq(tka_tokenizer_get_kind(u), TKA_TOKENIZER_WORDPIECE);
    cr_assert_eq(tka_tokenizer_vocab_size(u), 30522);
    cr_assert_eq(tka_tokenizer_special_id(u, TKA_SPECIAL_CLS), 101);
    cr_assert_eq(tka_tokenizer_special_id(u, TKA_SPECIAL_SEP), 102);
    cr_assert_eq(tka_tokenizer_special_id(u, TKA_SPECIAL_PAD), 0);
    cr_assert_eq(tka_tokenizer_special_id(u, TKA_SPECIAL_MASK), 103);
    cr_assert_eq(tka_tokenizer_special_id(u, TKA_SPECIAL_BOS), -1);
    cr_assert_eq(tka_tokenizer_token_to_id(u, "hello", 5), 7592);
    cr_assert_eq(tka_tokenizer_token_to_id(u, "##ing", 5), 2075);
    cr_assert_eq(tka_tokenizer_token_to_id(u, "Hello", 5), -1);
    cr_assert_str_eq(tka_tokenizer_warnings(u), "");
    tka_tokenizer_free(u);
    /* bert-base-chinese has U+2028 as token 343: lines split on \n only */
    tka_tokenizer *c = open_mirror("bert-base-chinese", TKA_COMPAT_SLOW);
    cr_assert_eq(tka_tokenizer_token_to_id(c, "\xe2\x80\xa8", 3), 343);
    cr_assert_eq(tka_tokenizer_token_to_id(c, "##\xe2\x80\xa8", 5), 13502);
    cr_assert_eq(tka_tokenizer_vocab_size(c), 21128);
    tka_tokenizer_free(c);
}

Test(bert_vocab, never_split_from_config)
{
    /* BertTokenizer(never_split=[...]): kept whole by BasicTokenizer and
     * looked up without WordPiece (the unknown token when absent) */
    const char vocab[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n[\n]\nfoo\nab\n##c\n";
    const char *dir = test_dir();
    char path[256];
    snprintf(path, sizeof path, "%s", write_file(dir, "vocab.txt", vocab, sizeof vocab - 1));
    const char cfg[] = "{\"do_lower_case\": true, \"never_split\": [\"[foo]\", \"abc\"]}";
    write_file(dir, "tokenizer_config.json", cfg, sizeof cfg - 1);
    tka_tokenizer_options o;
    tka_tokenizer_options_init(&o);
    tka_tokenizer *tok;
    tka_error err;
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_OK, "%s", err.message);
    cr_assert_str_eq(joined(tok, "[FOO] abc ABC abcx [foo"), "[UNK] [UNK] [UNK] [UNK] [ foo");
    tka_tokenizer_free(tok);
    o.compat = TKA_COMPAT_FAST; /* the Rust tokenizer has no never_split */
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_OK, "%s", err.message);
    cr_assert_str_eq(joined(tok, "[FOO] abc"), "[ foo ] ab ##c");
    tka_tokenizer_free(tok);
}

Test(bert_vocab, unsupported_config_is_refused)
{
    const char vocab[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    const char *dir = test_dir();
    char path[256];
    snprintf(path, sizeof path, "%s", write_file(dir, "vocab.txt", vocab, sizeof vocab - 1));
    const char cfg[] = "{\"do_basic_tokenize\": false}";
    write_file(dir, "tokenizer_config.json", cfg, sizeof cfg - 1);
    tka_tokenizer_options o;
    tka_tokenizer_options_init(&o);
    tka_tokenizer *tok;
    tka_error err;
    cr_assert_eq(tka_tokenizer_open(path, &o, &tok, &err), TKA_ERR_UNSUPPORTED);
    cr_assert_not_null(strstr(err.message, "do_basic_tokenize"), "%s", err.message);
}
