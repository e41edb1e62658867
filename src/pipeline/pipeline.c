/* The step-2 data pipeline: TSV -> tokenize -> sample -> collate -> dump,
 * streaming. This file opens the stages and runs plan (pipeline_plan.c), read
 * (pipeline_read.c) and emit (pipeline_emit.c) in turn. */
#include "tokalign/pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/io.h"
#include "core/try.h"
#include "pipeline/pipeline_internal.h"

void tka_pipeline_options_init(tka_pipeline_options *o, tka_flavor flavor)
{
    memset(o, 0, sizeof *o);
    tka_dataset_options_init(&o->dataset);
    tka_tokenizer_options_init(&o->tokenizer_options);
    tka_sampler_spec_init(&o->sampler, flavor, TKA_SAMPLER_SEQUENTIAL);
    o->batch_size = 4;
    o->max_length = TKA_PIPELINE_DEFAULT;
    o->pad_id = -1;
    o->num_batches = 5;
    o->threads = 1;
    o->write_sidecar = true;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static tka_status open_stages(run *r, tka_buf *warnings, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    if (!o->data_path || !o->tokenizer || !o->dump_path)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "the pipeline needs data, a tokenizer and a dump path");
    if (o->batch_size < 1)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "batch size must be at least 1");
    tka_status st = tka_check_not_input(o->dump_path, o->data_path, err);
    char *side = o->write_sidecar ? pipeline_sidecar_path(o->dump_path) : NULL;
    if (st == TKA_OK && side)
        st = tka_check_not_input(side, o->data_path, err);
    free(side);
    if (st != TKA_OK)
        return st;
    TKA_TRY(tka_tokenizer_open(o->tokenizer, &o->tokenizer_options, &r->tok, err));
    if (warnings)
        tka_buf_append_str(warnings, tka_tokenizer_warnings(r->tok));
    tka_tokenizer_kind kind = tka_tokenizer_get_kind(r->tok);
    r->pad_id = o->pad_id;
    if (o->pad_token) {
        r->pad_id = tka_tokenizer_token_to_id(r->tok, o->pad_token, strlen(o->pad_token));
        if (r->pad_id < 0)
            return tka_error_set(err, TKA_ERR_ARGUMENT,
                                 "pad token '%s' is not in the vocabulary of %s", o->pad_token,
                                 tka_tokenizer_source(r->tok));
    } else if (r->pad_id >= (int64_t)tka_tokenizer_vocab_size(r->tok)) {
        return tka_error_set(err, TKA_ERR_ARGUMENT, "pad id %d is outside the vocabulary (%zu ids)",
                             (int)r->pad_id, tka_tokenizer_vocab_size(r->tok));
    }

    /* The fields are options: checked before the file is read (a label
     * column is selected exactly when the dataset opens with label_field). */
    TKA_TRY(pipeline_plan_fields(o, kind, o->dataset.label_field != NULL, &r->fields, err));
    tka_dataset_options dopt = o->dataset;
    if (o->sampler.flavor ==
        TKA_FLAVOR_TORCH) { /* HF datasets' csv builder reads 10000-row chunks */
        dopt.chunking = TKA_CHUNKS_ROWS;
        dopt.chunk_rows = 10000;
    }
    /* A sequential sampler needs neither the row count nor the dtypes before
     * the rows: one pass, decisions at its end (pipeline_read_rows). Random
     * and distributed samplers need the length first. */
    r->single = o->sampler.kind == TKA_SAMPLER_SEQUENTIAL && !o->two_pass && !o->order_path;
    if (o->order_path)
        TKA_TRY(tka_order_read(o->order_path, (size_t)o->batch_size, &r->order, err));
    dopt.single_pass = r->single;
    TKA_TRY(tka_dataset_open(o->data_path, &dopt, &r->ds, err));
    struct stat sb;
    if (stat(o->data_path, &sb) == 0)
        r->result->bytes = (uint64_t)sb.st_size;

    tka_encode_options eopt;
    tka_encode_options_init(&eopt);
    /* test_data.py: tokenizer(sentence, max_length=128, truncation=True) for BERT;
     * the Reformer pipeline calls tokenizer(sentence) without truncation. */
    int64_t max_length = o->max_length != TKA_PIPELINE_DEFAULT ? o->max_length
                         : kind == TKA_TOKENIZER_WORDPIECE     ? 128
                                                               : -1;
    eopt.max_length = max_length;
    r->max_length = max_length;
    eopt.truncation = max_length >= 0 ? TKA_TRUNCATE_LONGEST_FIRST : TKA_TRUNCATE_NONE;
    /* tokenizer(s, padding="max_length", max_length=N, truncation=True) (HF) and
     * tokenizer(s, max_seq_len=N, pad_to_max_seq_len=True) (PaddleNLP 2.x) pad the
     * same way: input_ids with the pad id, token_type_ids with 0, attention_mask 0. */
    eopt.padding = o->padding;
    if (o->padding != TKA_PAD_NONE && r->pad_id >= 0)
        eopt.pad_id = r->pad_id;
    if (o->padding == TKA_PAD_MAX_LENGTH && max_length < 0)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "padding to max_length needs a max length (--max-length N)");
    if (r->single)
        TKA_TRY(pipeline_plan_rows_ahead(r, err));
    /* An encoder the options cannot make is reported where the two-pass run
     * reports it: once the row count is known (pipeline_plan_count). */
    if (encode_pool_new(r->tok, &eopt, o->threads, r->fields.present, &r->pool,
                        &r->encoder_error) != TKA_OK) {
        r->encoder_failed = true;
        r->pool = NULL;
    }
    return TKA_OK;
}

tka_status tka_pipeline_run(const tka_pipeline_options *options, tka_pipeline_result *result,
                            tka_buf *warnings, tka_error *err)
{
    double start = now_seconds();
    tka_pipeline_result local;
    if (!result)
        result = &local;
    memset(result, 0, sizeof *result);
    run r;
    memset(&r, 0, sizeof r);
    r.o = options;
    r.result = result;
    tka_status st;
    TKA_TRY_GOTO(st, open_stages(&r, warnings, err), out);
    TKA_TRY_GOTO(st, pipeline_read_rows(&r, warnings, err), out);
    st = pipeline_write_dump(&r, err);
out:
    encode_pool_free(r.pool);
    row_store_free(&r.store);
    free(r.items);
    free(r.saved);
    tka_buf_free(&r.saved_text);
    tka_batches_free(&r.batches.materialised);
    tka_order_free(&r.batches.order);
    tka_order_free(&r.order);
    tka_dataset_free(r.ds);
    tka_tokenizer_free(r.tok);
    result->seconds = now_seconds() - start;
    return st;
}