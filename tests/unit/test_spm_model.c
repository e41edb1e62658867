/* Unit tests of the SentencePiece .model reader: protobuf wire rules,
 * defaults, corruption handling, libsentencepiece's load-time checks, and the
 * settings of the shared models against golden/tokenize/spm_models.json. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spm_builder.h"
#include "core/io.h"
#include "tokalign/spm.h"
#include "tokalign/tokenizer.h"
#include "tokenize/spm_encode.h"
#include "tokenize/spm_model.h"
#include "tokenize/spm_proto.h"

static const char *shared_dir(void)
{
    const char *s = getenv("TKA_SHARED");
    return s ? s : "../shared";
}

/* A small valid model: <unk>, <s>, </s>, a, b, ab; trainer BPE. */
static void tiny_model(tka_buf *m, int model_type)
{
    pbw_piece(m, "<unk>", 0, 2);
    pbw_piece(m, "<s>", 0, 3);
    pbw_piece(m, "</s>", 0, 3);
    pbw_piece(m, "\xe2\x96\x81", -1, 0);
    pbw_piece(m, "a", -2, 0);
    pbw_piece(m, "b", -3, 0);
    pbw_piece(m, "ab", -1.5f, 0);
    tka_buf t = {0};
    pbw_int(&t, 3, model_type);
    pbw_int(&t, 4, 7);
    pbw_end(m, 2, &t);
}

static spm_model *load(const tka_buf *b, tka_error *err)
{
    spm_model *m = NULL;
    tka_status st = spm_model_load_bytes(b->data, b->len, "test.model", &m, err);
    cr_assert_eq(st == TKA_OK, m != NULL);
    return m;
}

Test(spm_proto, defaults_when_fields_are_absent)
{
    tka_buf b = {0};
    pbw_piece(&b, "<unk>", 0, 2);
    spm_proto p;
    tka_error err;
    cr_assert_eq(spm_proto_parse(b.data, b.len, "x.model", &p, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(p.n_pieces, 1);
    cr_assert_eq(p.pieces[0].type, SPM_PIECE_UNKNOWN);
    cr_assert_eq(p.trainer.model_type, SPM_MODEL_UNIGRAM);
    cr_assert_eq(p.trainer.vocab_size, 8000);
    cr_assert_eq(p.trainer.unk_id, 0);
    cr_assert_eq(p.trainer.bos_id, 1);
    cr_assert_eq(p.trainer.eos_id, 2);
    cr_assert_eq(p.trainer.pad_id, -1);
    cr_assert_eq(p.trainer.byte_fallback, false);
    cr_assert_eq(p.trainer.treat_whitespace_as_suffix, false);
    cr_assert_eq(p.trainer.unk_surface.len, 5);
    cr_assert_eq(memcmp(p.trainer.unk_surface.data, " \xE2\x81\x87 ", 5), 0);
    cr_assert_eq(p.trainer.pad_piece.len, 5);
    cr_assert_eq(p.normalizer.present, false);
    cr_assert(p.normalizer.add_dummy_prefix);
    cr_assert(p.normalizer.remove_extra_whitespaces);
    cr_assert(p.normalizer.escape_whitespaces);
    spm_proto_free(&p);
    tka_buf_free(&b);
}

Test(spm_proto, protobuf_rules_unknown_fields_merges_and_enums)
{
    tka_buf b = {0};
    /* unknown top-level fields of every wire type, before and after pieces */
    pbw_int(&b, 99, 12345);
    pbw_tag(&b, 98, 1);
    tka_buf_append(&b, "12345678", 8);
    pbw_tag(&b, 97, 5);
    tka_buf_append(&b, "1234", 4);
    pbw_str(&b, 96, "ignored");
    pbw_tag(&b, 95, 3); /* a group holding a varint and a nested group */
    pbw_int(&b, 1, 7);
    pbw_tag(&b, 2, 3);
    pbw_int(&b, 3, 1);
    pbw_tag(&b, 2, 4);
    pbw_tag(&b, 95, 4);
    tka_buf piece = {0};
    pbw_str(&piece, 1, "x");
    pbw_int(&piece, 3, 4);    /* USER_DEFINED */
    pbw_int(&piece, 3, 9);    /* not a Type value: ignored, keeps USER_DEFINED */
    pbw_str(&piece, 2, "no"); /* score with the wrong wire type: skipped */
    pbw_int(&piece, 200, 1);  /* extension range */
    pbw_end(&b, 1, &piece);
    tka_buf t = {0};
    pbw_int(&t, 3, 2);   /* BPE */
    pbw_int(&t, 43, -1); /* pad_id as a 10-byte varint */
    pbw_int(&t, 41, 5);
    pbw_end(&b, 2, &t);
    tka_buf t2 = {0}; /* a second trainer_spec merges into the first */
    pbw_int(&t2, 41, 6);
    pbw_int(&t2, 35, 1);
    pbw_str(&t2, 44, "<?>");
    pbw_end(&b, 2, &t2);
    tka_buf ns = {0};
    pbw_int(&ns, 3, 0);
    pbw_int(&ns, 5, 0);
    pbw_str(&ns, 1, "identity");
    pbw_end(&b, 3, &ns);
    tka_buf st = {0};
    tka_buf sample = {0};
    pbw_str(&sample, 1, "in");
    pbw_str(&sample, 2, "out");
    pbw_end(&st, 1, &sample);
    pbw_end(&b, 4, &st);
    spm_proto p;
    tka_error err;
    cr_assert_eq(spm_proto_parse(b.data, b.len, "x.model", &p, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(p.n_pieces, 1);
    cr_assert_eq(p.pieces[0].type, SPM_PIECE_USER_DEFINED);
    cr_assert_eq(p.pieces[0].score, 0.0f);
    cr_assert_eq(p.trainer.model_type, SPM_MODEL_BPE);
    cr_assert_eq(p.trainer.pad_id, -1);
    cr_assert_eq(p.trainer.bos_id, 6);
    cr_assert(p.trainer.byte_fallback);
    cr_assert_eq(p.trainer.unk_surface.len, 3);
    cr_assert(p.normalizer.present);
    cr_assert_not(p.normalizer.add_dummy_prefix);
    cr_assert(p.normalizer.remove_extra_whitespaces);
    cr_assert_not(p.normalizer.escape_whitespaces);
    cr_assert_eq(p.normalizer.name.len, 8);
    cr_assert_eq(p.n_samples, 1);
    cr_assert_eq(p.samples[0].expected.len, 3);
    spm_proto_free(&p);
    tka_buf_free(&b);
}

Test(spm_proto, every_truncation_is_an_error_naming_file_and_offset)
{
    tka_buf b = {0};
    tiny_model(&b, 2);
    spm_proto p;
    tka_error err;
    cr_assert_eq(spm_proto_parse(b.data, b.len, "tiny.model", &p, &err), TKA_OK);
    spm_proto_free(&p);
    size_t errors = 0;
    for (size_t cut = 1; cut < b.len; cut++) {
        /* Copy so ASan sees reads past the cut. */
        char *copy = malloc(cut);
        memcpy(copy, b.data, cut);
        tka_status st = spm_proto_parse(copy, cut, "tiny.model", &p, &err);
        if (st != TKA_OK) {
            errors++;
            cr_assert_eq(st, TKA_ERR_FORMAT);
            cr_assert(strstr(err.message, "tiny.model") != NULL, "%s", err.message);
            cr_assert(strstr(err.message, "byte offset") != NULL, "%s", err.message);
        } else {
            spm_proto_free(&p); /* a cut between two top-level fields is a valid message */
        }
        free(copy);
    }
    cr_assert_gt(errors, b.len / 2);
    tka_buf_free(&b);
}

Test(spm_proto, malformed_wire_data)
{
    struct {
        const char *bytes;
        size_t len;
        const char *why;
    } cases[] = {
        {"\x0a\x05"
         "ab",
         4, "length past the end"},
        {"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, "huge length"},
        {"\x08\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 12, "varint over 10 bytes"},
        {"\x00\x01", 2, "field number 0"},
        {"\x0e\x01", 2, "wire type 6"},
        {"\x0c", 1, "end group without start"},
        {"\x0b\x08\x01", 3, "unterminated group"},
        {"\x0b\x14", 2, "mismatched end group"},
        {"\x0d\x01\x02", 3, "truncated fixed32"},
        {"\x09\x01\x02\x03", 4, "truncated fixed64"},
        {"\x0a\x03\x12\x05\x01", 5, "nested length past the submessage"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        spm_proto p;
        tka_error err;
        char *copy = malloc(cases[i].len);
        memcpy(copy, cases[i].bytes, cases[i].len);
        cr_expect_eq(spm_proto_parse(copy, cases[i].len, "bad.model", &p, &err), TKA_ERR_FORMAT,
                     "%s", cases[i].why);
        free(copy);
    }
}

Test(spm_model, load_time_checks_of_libsentencepiece)
{
    tka_error err;
    /* empty piece */
    tka_buf b = {0};
    pbw_piece(&b, "<unk>", 0, 2);
    pbw_piece(&b, "", 0, 0);
    cr_assert_null(load(&b, &err));
    cr_assert(strstr(err.message, "piece 1") && strstr(err.message, "empty"), "%s", err.message);
    tka_buf_free(&b);
    /* duplicate normal piece */
    pbw_piece(&b, "<unk>", 0, 2);
    pbw_piece(&b, "a", 0, 0);
    pbw_piece(&b, "a", 0, 4);
    cr_assert_null(load(&b, &err));
    cr_assert(strstr(err.message, "defined twice"), "%s", err.message);
    tka_buf_free(&b);
    /* the same text as a NORMAL and a CONTROL piece is allowed (two maps) */
    pbw_piece(&b, "<unk>", 0, 2);
    pbw_piece(&b, "a", 0, 0);
    pbw_piece(&b, "a", 0, 3);
    spm_model *m = load(&b, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_eq(spm_piece_to_id(m, "a", 1), 2, "the reserved piece wins");
    spm_model_free(m);
    tka_buf_free(&b);
    /* no UNKNOWN piece */
    pbw_piece(&b, "a", 0, 0);
    cr_assert_null(load(&b, &err));
    cr_assert(strstr(err.message, "UNKNOWN"), "%s", err.message);
    tka_buf_free(&b);
    /* two UNKNOWN pieces */
    pbw_piece(&b, "<unk>", 0, 2);
    pbw_piece(&b, "<unk2>", 0, 2);
    cr_assert_null(load(&b, &err));
    cr_assert(strstr(err.message, "second UNKNOWN"), "%s", err.message);
    tka_buf_free(&b);
    /* BYTE piece without byte_fallback */
    pbw_piece(&b, "<unk>", 0, 2);
    pbw_piece(&b, "<0x41>", 0, 6);
    pbw_piece(&b, "a", 0, 0);
    cr_assert_null(load(&b, &err));
    cr_assert(strstr(err.message, "byte_fallback is off"), "%s", err.message);
    tka_buf_free(&b);
    /* byte_fallback with a missing byte, and a malformed byte piece */
    for (int variant = 0; variant < 2; variant++) {
        pbw_piece(&b, "<unk>", 0, 2);
        for (int i = 0; i < 256; i++) {
            char name[8];
            snprintf(name, sizeof name, variant && i == 0xab ? "<0x%02x>" : "<0x%02X>", i);
            if (variant || i != 0x41)
                pbw_piece(&b, name, 0, 6);
        }
        pbw_piece(&b, "a", 0, 0);
        tka_buf t = {0};
        pbw_int(&t, 35, 1);
        pbw_end(&b, 2, &t);
        cr_assert_null(load(&b, &err));
        cr_assert(strstr(err.message, variant ? "not <0xXX>" : "<0x41> is missing"), "%s",
                  err.message);
        tka_buf_free(&b);
    }
    /* WORD models load; words are looked up whole and unknown runs merge */
    tiny_model(&b, 3);
    m = load(&b, &err);
    cr_assert_not_null(m, "%s", err.message);
    tka_tokens t = {0};
    cr_assert_eq(spm_encode(m, "ab a b", 6, TKA_TOKENS_STRINGS, &t, &err), TKA_OK);
    cr_assert_eq(t.count, 1);
    cr_assert_eq(t.ids[0], 0);
    cr_assert_eq(t.text_len[0], 13); /* "_ab_a_b" */
    tka_tokens_free(&t);
    spm_model_free(m);
    tka_buf_free(&b);
    /* Unigram with only reserved pieces */
    pbw_piece(&b, "<unk>", 0, 2);
    pbw_piece(&b, "<s>", 0, 3);
    cr_assert_null(load(&b, &err));
    tka_buf_free(&b);
    /* NUL inside a Unigram piece: libsentencepiece would truncate it */
    pbw_piece(&b, "<unk>", 0, 2);
    tka_buf p = {0};
    pbw_bytes(&p, 1, "a\0b", 3);
    pbw_end(&b, 1, &p);
    cr_assert_null(load(&b, &err));
    cr_assert_eq(err.status, TKA_ERR_UNSUPPORTED);
    tka_buf_free(&b);
}

Test(spm_model, lookups_and_special_ids)
{
    tka_buf b = {0};
    tiny_model(&b, 2);
    tka_error err;
    spm_model *m = load(&b, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_eq(m->type, SPM_MODEL_BPE);
    cr_assert_eq(m->n_pieces, 7);
    cr_assert_eq(spm_piece_to_id(m, "ab", 2), 6);
    cr_assert_eq(spm_piece_to_id(m, "<s>", 3), 1);
    cr_assert_eq(spm_piece_to_id(m, "zz", 2), 0, "unknown text maps to unk");
    cr_assert_eq(m->special[TKA_SPECIAL_UNK], 0);
    cr_assert_eq(m->special[TKA_SPECIAL_BOS], 1);
    cr_assert_eq(m->special[TKA_SPECIAL_EOS], 2);
    cr_assert_eq(m->special[TKA_SPECIAL_PAD], -1, "no <pad> piece");
    cr_assert_eq(m->special[TKA_SPECIAL_CLS], -1);
    spm_model_free(m);
    tka_buf_free(&b);
}

Test(spm_model, corrupt_real_model_never_crashes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data/spm/sentencepiece_test_model.model", shared_dir());
    tka_buf file = {0};
    tka_error err;
    cr_assert_eq(tka_read_file(path, 0, &file, &err), TKA_OK, "%s", err.message);
    size_t failures = 0, tries = 0;
    for (size_t cut = 0; cut < file.len; cut += 1 + file.len / 300) {
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, file.data, cut);
        spm_model *m = NULL;
        tries++;
        if (spm_model_load_bytes(copy, cut, "cut.model", &m, &err) != TKA_OK) {
            failures++;
            cr_assert(strstr(err.message, "cut.model"), "%s", err.message);
        }
        spm_model_free(m);
        free(copy);
    }
    cr_assert_gt(failures, tries / 2);
    /* flip bytes across the file: must load or fail cleanly */
    for (size_t at = 0; at < file.len; at += 1 + file.len / 500) {
        char *copy = malloc(file.len);
        memcpy(copy, file.data, file.len);
        copy[at] ^= (char)0xa5;
        spm_model *m = NULL;
        if (spm_model_load_bytes(copy, file.len, "flip.model", &m, &err) == TKA_OK) {
            /* encoding with a damaged model must not crash either */
            tka_tokens t = {0};
            static const char text[] = "Hello world, \xe3\x81\x82\xef\xbd\xb1 \xe2\x91\xa0!";
            tka_status st = spm_encode(m, text, sizeof text - 1,
                                       TKA_TOKENS_STRINGS | TKA_TOKENS_OFFSETS, &t, &err);
            cr_assert(st == TKA_OK || st == TKA_ERR_FORMAT, "%s", err.message);
            tka_tokens_free(&t);
            spm_model_free(m);
        }
        free(copy);
    }
    tka_buf_free(&file);
}

/* The settings the oracle recorded for each shared model. */
Test(spm_model, shared_models_match_spm_models_json)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/golden/tokenize/spm_models.json", shared_dir());
    json_error_t jerr;
    json_t *all = json_load_file(path, 0, &jerr);
    cr_assert_not_null(all, "%s", jerr.text);
    const char *names[] = {"bpe320_republic", "sentencepiece_test_model",
                           "sentencepiece_test_ja_model", "cluecorpussmall_spm"};
    for (size_t i = 0; i < 4; i++) {
        json_t *want = json_object_get(all, names[i]);
        cr_assert_not_null(want);
        snprintf(path, sizeof path, "%s/data/spm/%s.model", shared_dir(), names[i]);
        tka_tokenizer *tok;
        tka_error err;
        cr_assert_eq(tka_tokenizer_open(path, NULL, &tok, &err), TKA_OK, "%s", err.message);
        tka_spm_info info;
        cr_assert_eq(tka_spm_get_info(tok, &info), TKA_OK);
        json_t *norm = json_object_get(want, "normalizer");
        cr_expect_str_eq(info.model_type, json_string_value(json_object_get(want, "model_type")));
        cr_expect_eq(info.piece_count, (size_t)json_integer_value(json_object_get(want, "pieces")));
        cr_expect_eq(info.byte_fallback, json_is_true(json_object_get(want, "byte_fallback")));
        cr_expect_eq(info.treat_whitespace_as_suffix,
                     json_is_true(json_object_get(want, "treat_whitespace_as_suffix")));
        cr_expect_eq(info.add_dummy_prefix,
                     json_is_true(json_object_get(norm, "add_dummy_prefix")));
        cr_expect_eq(info.remove_extra_whitespaces,
                     json_is_true(json_object_get(norm, "remove_extra_whitespaces")));
        cr_expect_eq(info.escape_whitespaces,
                     json_is_true(json_object_get(norm, "escape_whitespaces")));
        cr_expect_eq(info.charsmap_bytes, (size_t)json_integer_value(
                                              json_object_get(norm, "precompiled_charsmap_bytes")));
        const char *keys[] = {"unk_id", "bos_id", "eos_id", "pad_id"};
        tka_special which[] = {TKA_SPECIAL_UNK, TKA_SPECIAL_BOS, TKA_SPECIAL_EOS, TKA_SPECIAL_PAD};
        for (int k = 0; k < 4; k++)
            cr_expect_eq(tka_tokenizer_special_id(tok, which[k]),
                         json_integer_value(json_object_get(want, keys[k])), "%s %s", names[i],
                         keys[k]);
        /* every non-NORMAL piece, with its type; everything else NORMAL */
        json_t *special = json_object_get(want, "non_normal_pieces");
        size_t non_normal = 0;
        const char *type_names[] = {"",       "NORMAL", "UNKNOWN", "CONTROL", "USER_DEFINED",
                                    "UNUSED", "BYTE"};
        for (int32_t id = 0; id < (int32_t)info.piece_count; id++)
            non_normal += tka_spm_get_piece_type(tok, id) != TKA_SPM_PIECE_NORMAL;
        cr_expect_eq(non_normal, json_array_size(special));
        for (size_t k = 0; k < json_array_size(special); k++) {
            json_t *row = json_array_get(special, k);
            int32_t id = (int32_t)json_integer_value(json_array_get(row, 0));
            size_t len;
            const char *piece = tka_tokenizer_id_to_token(tok, id, &len);
            cr_expect_eq(len, strlen(json_string_value(json_array_get(row, 1))));
            cr_expect_eq(memcmp(piece, json_string_value(json_array_get(row, 1)), len), 0);
            cr_expect_str_eq(type_names[tka_spm_get_piece_type(tok, id)],
                             json_string_value(json_array_get(row, 2)));
        }
        /* Reformer-style specials: [CLS]/[SEP]/[MASK] only where the model has them */
        int32_t cls = tka_tokenizer_special_id(tok, TKA_SPECIAL_CLS);
        cr_expect_eq(cls, i == 3 ? 2 : -1);
        cr_expect_eq(tka_tokenizer_special_id(tok, TKA_SPECIAL_SEP), i == 3 ? 3 : -1);
        cr_expect_eq(tka_tokenizer_special_id(tok, TKA_SPECIAL_MASK), i == 3 ? 4 : -1);
        tka_tokenizer_free(tok);
    }
    json_decref(all);
}

/* SentencePieceProcessor::Load verifies the model's self_test_data. */
Test(spm_model, self_test_samples_are_verified_at_open)
{
    for (int good = 0; good < 2; good++) {
        tka_buf b = {0};
        tiny_model(&b, 2);
        tka_buf st = {0}, sample = {0};
        pbw_str(&sample, 1, "ab ba");
        pbw_str(&sample, 2,
                good ? "\xe2\x96\x81 ab \xe2\x96\x81 b a"
                     : "\xe2\x96\x81"
                       "ab");
        pbw_end(&st, 1, &sample);
        pbw_end(&b, 4, &st);
        char dir[] = "tka_selftest_XXXXXX"; /* in the working (build) directory */
        cr_assert_not_null(mkdtemp(dir));
        char path[64];
        snprintf(path, sizeof path, "%s/x.model", dir);
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f);
        fwrite(b.data, 1, b.len, f);
        fclose(f);
        tka_tokenizer *tok = NULL;
        tka_error err;
        tka_status rc = tka_tokenizer_open(path, NULL, &tok, &err);
        remove(path);
        rmdir(dir);
        if (good) {
            cr_expect_eq(rc, TKA_OK, "%s", err.message);
            tka_spm_info info;
            cr_expect_eq(tka_spm_get_info(tok, &info), TKA_OK);
            cr_expect_eq(info.self_test_samples, 1);
        } else {
            cr_expect_eq(rc, TKA_ERR_FORMAT);
            cr_expect(strstr(err.message, "self-test"), "%s", err.message);
        }
        tka_tokenizer_free(tok);
        tka_buf_free(&b);
    }
}
