/* The pipeline's encode pool: with any number of threads, every kept row's
 * stored sequences are the single encoder's, rows are assigned to workers
 * that really hold them, and a failure reports the first failing row in row
 * order whichever thread met it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bert_test_util.h"
#include "pipeline/encode_pool.h"
#include "tokalign/arena.h"
#include "tokalign/encode.h"

#define ROWS 5000

static const char *const words[] = {"the",  "quick",  "brown", "fox",       "jumps",
                                    "over", "lazy",   "dog",   "unaffable", "Ünïcödé",
                                    "中文", "hello,", "world!"};

/* Row i's text: a few words picked from i, in the chunk's text buffer. */
static void fill_chunk(pool_chunk *chunk, const size_t *bad, size_t nbad)
{
    char text[256];
    for (size_t i = 0; i < ROWS; i++) {
        size_t len = 0;
        for (size_t k = 0; k < 1 + i % 7; k++)
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", k ? " " : "",
                                    words[(i * 31 + k * 7) % (sizeof words / sizeof *words)]);
        for (size_t b = 0; b < nbad; b++)
            if (bad[b] == i)
                text[len++] = (char)0xff; /* invalid UTF-8: the encoder fails this row */
        cr_assert_eq(pool_chunk_add(chunk, 1000 + i, 2 + i, text, len, NULL, 0, false, i % 3 != 1),
                     TKA_OK);
    }
}

static void check_threads(const tka_tokenizer *tok, int threads)
{
    tka_encode_options o;
    tka_encode_options_init(&o);
    o.max_length = 16;
    o.truncation = TKA_TRUNCATE_LONGEST_FIRST;
    bool fields[TKA_FIELD_SEQ_COUNT] = {0};
    fields[TKA_FIELD_INPUT_IDS] = fields[TKA_FIELD_TOKEN_TYPE_IDS] = true;
    encode_pool *pool;
    tka_error err;
    cr_assert_eq(encode_pool_new(tok, &o, threads, fields, &pool, &err), TKA_OK, "%s", err.message);
    tka_encoder *single;
    cr_assert_eq(tka_encoder_new(tok, &o, &single, &err), TKA_OK);
    tka_arena *arena = tka_arena_new(0);

    /* Twice over the same chunk: the second run must not see the first's state. */
    pool_chunk chunk = {0};
    fill_chunk(&chunk, NULL, 0);
    for (int run = 0; run < 2; run++) {
        cr_assert_eq(encode_pool_run(pool, &chunk, "case.tsv", &err), TKA_OK, "%s", err.message);
        size_t kept = 0;
        for (size_t i = 0; i < chunk.count; i++) {
            const pool_row *r = &chunk.rows[i];
            if (!r->keep)
                continue;
            kept++;
            cr_assert(r->worker >= 0 && r->worker < threads, "row %zu: worker %d", i, r->worker);
            const int32_t *got[TKA_FIELD_SEQ_COUNT];
            encode_pool_row_fields(pool, r, got);
            tka_arena_reset(arena);
            tka_encoding want;
            cr_assert_eq(tka_encoder_encode(single, chunk.text.data + r->text_off, r->text_len,
                                            NULL, 0, arena, &want, &err),
                         TKA_OK);
            cr_assert_eq(r->length, want.length, "row %zu", i);
            cr_assert_eq(
                memcmp(got[TKA_FIELD_INPUT_IDS], want.input_ids, want.length * sizeof(int32_t)), 0,
                "row %zu: input_ids differ with %d threads", i, threads);
            cr_assert_eq(memcmp(got[TKA_FIELD_TOKEN_TYPE_IDS], want.token_type_ids,
                                want.length * sizeof(int32_t)),
                         0, "row %zu: token_type_ids differ", i);
            cr_assert_null(got[TKA_FIELD_ATTENTION_MASK]);
        }
        cr_assert_eq(kept, ROWS - (ROWS + 1) / 3); /* rows i % 3 == 1 are not kept */
    }
    pool_chunk_free(&chunk);

    /* Failures late in one batch and early in another: the first in row order wins. */
    const size_t bad[] = {4321, 1234, 1235, 3000};
    fill_chunk(&chunk, bad, 4);
    tka_status st = encode_pool_run(pool, &chunk, "case.tsv", &err);
    cr_assert_eq(st, TKA_ERR_UTF8, "status %d: %s", (int)st, err.message);
    cr_assert(strstr(err.message, "case.tsv: line 1236 (row 2234): ") == err.message,
              "%d threads: %s", threads, err.message);
    pool_chunk_free(&chunk);

    tka_arena_free(arena);
    tka_encoder_free(single);
    encode_pool_free(pool);
}

Test(encode_pool, any_thread_count_gives_the_single_encoders_results)
{
    tka_tokenizer *tok = open_mirror("bert-base-uncased", TKA_COMPAT_SLOW);
    for (int threads = 1; threads <= 4; threads++)
        check_threads(tok, threads);
    tka_tokenizer_free(tok);
}
