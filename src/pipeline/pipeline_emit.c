/* The pipeline's output: the reprod_log keys in test_data.py's order, the
 * dump file (.npy streamed key by key, .npz or .json) and its JSON sidecar. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io.h"
#include "core/sha256.h"
#include "core/try.h"
#include "pipeline/pipeline_internal.h"
#include "tokalign/dump.h"

typedef struct dump_sink {
    tka_dict *dict;            /* .npz / .json / sidecar with entries */
    tka_reprod_writer *writer; /* .npy: streamed key by key */
    size_t keys;
} dump_sink;

static tka_status sink_add(dump_sink *s, const char *key, const tka_array *a, tka_error *err)
{
    s->keys++;
    if (s->writer)
        TKA_TRY(tka_reprod_writer_add(s->writer, key, a, err));
    if (s->dict)
        return tka_dict_add(s->dict, key, a, err);
    return TKA_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* An int32 sequence as a 1-D int64 array (test_data.py logs np.int64 arrays). */
static tka_status add_sequence(dump_sink *s, const char *key, const int32_t *values, size_t n,
                               int64_t *scratch, tka_error *err)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = values[i];
    tka_array a = {.dtype = TKA_DTYPE_INT64, .ndim = 1, .data = scratch};
    a.shape[0] = (int64_t)n;
    return sink_add(s, key, &a, err);
}

static tka_status add_item_label(dump_sink *s, const char *key, tka_label_kind kind,
                                 const row_store_entry *e, tka_error *err)
{
    tka_array a = {.ndim = 1};
    a.shape[0] = 1;
    int64_t i = e->label_int;
    double f = e->label_float;
    uint8_t b = e->label_int != 0;
    switch (kind) {
    case TKA_LABEL_FLOAT: /* HF datasets: a float64 list column */
        a.dtype = TKA_DTYPE_FLOAT64;
        a.data = &f;
        break;
    case TKA_LABEL_BOOL:
        a.dtype = TKA_DTYPE_BOOL;
        a.data = &b;
        break;
    default: a.dtype = TKA_DTYPE_INT64; a.data = &i;
    }
    return sink_add(s, key, &a, err);
}

/* dataset_{row}_{field}: the logged rows' sequences and labels. */
static tka_status emit_items(const run *r, dump_sink *sink, tka_error *err)
{
    const field_plan *fp = &r->fields;
    size_t longest = 1;
    for (size_t i = 0; i < r->store.count; i++)
        if (r->store.entries[i].length > longest)
            longest = r->store.entries[i].length;
    int64_t *scratch = malloc(longest * sizeof *scratch);
    char key[128];
    if (!scratch)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    tka_status st = TKA_OK;
    for (size_t i = 0; i < r->n_items; i++) {
        const row_store_entry *e = row_store_find(&r->store, (uint64_t)r->items[i]);
        for (size_t f = 0; f < fp->count; f++) {
            snprintf(key, sizeof key, "dataset_%lld_%s", (long long)r->items[i], fp->names[f]);
            if (fp->seq[f] >= 0)
                TKA_TRY_GOTO(st,
                             add_sequence(sink, key,
                                          row_store_field(&r->store, e, (tka_seq_field)fp->seq[f]),
                                          e->length, scratch, err),
                             out);
            else
                TKA_TRY_GOTO(st, add_item_label(sink, key, r->labels.kind, e, err), out);
        }
    }
out:
    free(scratch);
    return st;
}

/* dataloader_{b}_{field}: each logged batch collated as the flavor's
 * collator does. */
static tka_status emit_batches(const run *r, dump_sink *sink, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    const field_plan *fp = &r->fields;
    tka_collate_options copt;
    tka_collate_options_init(&copt, o->sampler.flavor);
    /* WordPiece pads with [PAD]; a tokenizer.json with its pad token (the file's padding
     * section, else [PAD] / <pad>); Reformer has none. */
    copt.pad_token_id = r->pad_id >= 0 ? r->pad_id
                        : tka_tokenizer_get_kind(r->tok) != TKA_TOKENIZER_SENTENCEPIECE
                            ? tka_tokenizer_special_id(r->tok, TKA_SPECIAL_PAD)
                            : -1;
    copt.pad_to_multiple_of = o->pad_to_multiple_of;
    tka_status st = TKA_OK;
    char key[128];
    size_t bs = pipeline_max_batch_len(&r->batches);
    size_t *lengths = malloc(bs * sizeof *lengths);
    const int32_t **seqs = malloc(TKA_FIELD_SEQ_COUNT * bs * sizeof *seqs);
    int64_t *label_int = malloc(bs * sizeof *label_int);
    double *label_float = malloc(bs * sizeof *label_float);
    int64_t *idx_scratch = malloc(bs * sizeof *idx_scratch);
    tka_arena *arena = tka_arena_new(0);
    if (!lengths || !seqs || !label_int || !label_float || !idx_scratch || !arena) {
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory collating");
        goto out;
    }
    for (size_t b = 0; b < r->logged; b++) {
        const int64_t *idx;
        size_t n = pipeline_batch_rows(&r->batches, b, &idx, idx_scratch);
        tka_batch_items items;
        memset(&items, 0, sizeof items);
        items.count = n;
        items.lengths = lengths;
        items.label_kind = fp->labels ? r->labels.kind : TKA_LABEL_NONE;
        items.label_int = label_int;
        items.label_float = label_float;
        for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++)
            if (fp->present[f])
                items.fields[f] = seqs + (size_t)f * bs;
        for (size_t i = 0; i < n; i++) {
            const row_store_entry *e = row_store_find(&r->store, (uint64_t)idx[i]);
            lengths[i] = e->length;
            label_int[i] = e->label_int;
            label_float[i] = e->label_float;
            for (int f = 0; f < TKA_FIELD_SEQ_COUNT; f++)
                if (fp->present[f])
                    seqs[(size_t)f * bs + i] = row_store_field(&r->store, e, (tka_seq_field)f);
        }
        tka_arena_reset(arena);
        tka_batch batch;
        if ((st = tka_collate(&items, &copt, arena, &batch, err)) != TKA_OK) {
            tka_error_prefix(err, "batch %zu: ", b);
            goto out;
        }
        for (size_t f = 0; f < fp->count; f++) {
            const tka_batch_array *ba = tka_batch_find(&batch, fp->names[f]);
            snprintf(key, sizeof key, "dataloader_%zu_%s", b, fp->names[f]);
            tka_array a = {.dtype = ba->dtype, .ndim = (unsigned)ba->ndim, .data = ba->data};
            a.shape[0] = (int64_t)ba->rows;
            a.shape[1] = (int64_t)ba->cols;
            TKA_TRY_GOTO(st, sink_add(sink, key, &a, err), out);
        }
    }
out:
    free(lengths);
    free(seqs);
    free(label_int);
    free(label_float);
    free(idx_scratch);
    tka_arena_free(arena);
    return st;
}

/* The reprod_log keys, in test_data.py's order: length, dataset items,
 * dataloader batches. */
static tka_status emit(run *r, dump_sink *sink, tka_error *err)
{
    int64_t length = (int64_t)r->result->rows;
    tka_array len_array = {.dtype = TKA_DTYPE_INT64, .ndim = 0, .data = &length};
    TKA_TRY(sink_add(sink, "length", &len_array, err));
    TKA_TRY(emit_items(r, sink, err));
    return emit_batches(r, sink, err);
}

/* Metadata for the JSON sidecar / mirror: where every key came from, so
 * `tokalign diff` can name the source row of a difference. */
static char *build_meta(const run *r, const char *dump_sha256)
{
    const tka_pipeline_options *o = r->o;
    json_t *m = json_object();
    /* ties the sidecar to the dump it describes (readers check it) */
    if (dump_sha256)
        json_object_set_new(m, "dump_sha256", json_string(dump_sha256));
    char sampler[512];
    tka_sampler_spec spec = o->sampler;
    spec.n = (int64_t)r->result->rows;
    spec.batch_size = o->batch_size;
    if (o->order_path)
        snprintf(sampler, sizeof sampler, "the batches of %s (--order)", base_name(o->order_path));
    else if (tka_sampler_describe(&spec, sampler, sizeof sampler) != TKA_OK)
        snprintf(sampler, sizeof sampler, "?");
    json_object_set_new(m, "source_tsv", json_string(base_name(o->data_path)));
    json_object_set_new(m, "side",
                        json_string(o->sampler.flavor == TKA_FLAVOR_PADDLE ? "paddle" : "torch"));
    json_object_set_new(m, "tokenizer", json_string(o->tokenizer));
    json_object_set_new(m, "sampler", json_string(sampler));
    if (o->order_path)
        json_object_set_new(m, "order", json_string(base_name(o->order_path)));
    json_object_set_new(m, "batch_size", json_integer(o->batch_size));
    if (o->padding == TKA_PAD_MAX_LENGTH) {
        json_object_set_new(m, "padding", json_string("max_length"));
        json_object_set_new(m, "max_length", json_integer(r->max_length));
    }
    int32_t pad = r->pad_id >= 0 ? r->pad_id
                  : tka_tokenizer_get_kind(r->tok) == TKA_TOKENIZER_WORDPIECE
                      ? tka_tokenizer_special_id(r->tok, TKA_SPECIAL_PAD)
                      : -1;
    if (pad >= 0) /* so diff can tell padding from content */
        json_object_set_new(m, "pad_id", json_integer(pad));
    json_t *keys = json_array();
    for (size_t f = 0; f < r->fields.count; f++)
        json_array_append_new(keys, json_string(r->fields.names[f]));
    json_object_set_new(m, "keys_per_item", keys);
    json_t *items = json_array();
    for (size_t i = 0; i < r->n_items; i++)
        json_array_append_new(items, json_integer(r->items[i]));
    json_object_set_new(m, "dataset_indices", items);
    json_object_set_new(m, "dataset_keys_name_rows", json_true());
    json_object_set_new(m, "batches", json_integer((json_int_t)r->batches.num_batches));
    json_object_set_new(m, "batches_logged", json_integer((json_int_t)r->logged));
    json_t *batches = json_array();
    int64_t *scratch = malloc(pipeline_max_batch_len(&r->batches) * sizeof *scratch);
    for (size_t b = 0; scratch && b < r->logged; b++) {
        const int64_t *idx;
        size_t n = pipeline_batch_rows(&r->batches, b, &idx, scratch);
        json_t *one = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(one, json_integer(idx[i]));
        json_array_append_new(batches, one);
    }
    free(scratch);
    json_object_set_new(m, "batch_indices", batches);
    /* the logged rows as read from the TSV, so a diff can show them */
    json_t *rows = json_object();
    for (size_t i = 0; i < r->store.count; i++) {
        const row_store_entry *e = &r->store.entries[i];
        if (!e->has_text)
            continue;
        json_t *one = json_object();
        char id[32];
        snprintf(id, sizeof id, "%llu", (unsigned long long)e->row);
        json_object_set_new(one, "line", json_integer((json_int_t)e->line));
        json_object_set_new(one, "text",
                            json_stringn(r->store.texts.data + e->text_off, e->text_len));
        if (e->has_pair)
            json_object_set_new(
                one, "pair",
                json_stringn(r->store.texts.data + e->text_off + e->text_len, e->pair_len));
        json_object_set_new(rows, id, one);
    }
    json_object_set_new(m, "source_rows", rows);
    char *text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(m);
    return text;
}

char *pipeline_sidecar_path(const char *dump)
{
    if (ends_with(dump, ".json"))
        return NULL;
    size_t len = strlen(dump);
    size_t stem = ends_with(dump, ".npy") || ends_with(dump, ".npz") ? len - 4 : len;
    char *p = malloc(stem + 6);
    if (p) {
        memcpy(p, dump, stem);
        memcpy(p + stem, ".json", 6);
    }
    return p;
}

/* The sidecar: the metadata alone, or (sidecar_entries) beside every array
 * of `dict`, as the goldens' JSON mirror. */
static tka_status write_sidecar(const run *r, const char *side, const tka_dict *dict,
                                const char *meta, tka_error *err)
{
    tka_dict *meta_only = NULL;
    tka_buf json = {0};
    tka_status st;
    if (!r->o->sidecar_entries) {
        if (!(meta_only = tka_dict_new()))
            return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        TKA_TRY_GOTO(st, tka_dict_set_meta(meta_only, meta, err), out);
        dict = meta_only;
    }
    TKA_TRY_GOTO(st, tka_json_encode(dict, base_name(r->o->dump_path), &json, err), out);
    st = tka_write_file(side, json.data, json.len, err);
out:
    tka_buf_free(&json);
    tka_dict_free(meta_only);
    return st;
}

tka_status pipeline_write_dump(run *r, tka_error *err)
{
    const tka_pipeline_options *o = r->o;
    bool npy = !ends_with(o->dump_path, ".npz") && !ends_with(o->dump_path, ".json");
    bool need_dict = !npy || (o->write_sidecar && o->sidecar_entries);
    dump_sink sink = {0};
    tka_buf bytes = {0};
    char hash[65] = "";
    char *side = NULL;
    tka_status st = TKA_OK;
    char *meta = build_meta(r, NULL);
    if (!meta)
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
    if (need_dict && !(sink.dict = tka_dict_new())) {
        st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (npy)
        TKA_TRY_GOTO(st, tka_reprod_writer_open(o->dump_path, &sink.writer, err), out);
    TKA_TRY_GOTO(st, emit(r, &sink, err), out);
    if (sink.writer) {
        TKA_TRY_GOTO(st, tka_reprod_writer_close(sink.writer, err), out);
        tka_reprod_writer_sha256(sink.writer, hash);
    }
    if (sink.dict)
        TKA_TRY_GOTO(st, tka_dict_set_meta(sink.dict, meta, err), out);
    if (!npy) {
        TKA_TRY_GOTO(st,
                     ends_with(o->dump_path, ".npz")
                         ? tka_npz_encode(sink.dict, &bytes, err)
                         : tka_json_encode(sink.dict, base_name(o->dump_path), &bytes, err),
                     out);
        tka_sha256_hex(bytes.data, bytes.len, hash);
        TKA_TRY_GOTO(st, tka_write_file(o->dump_path, bytes.data, bytes.len, err), out);
    }
    /* The dump is in place; its sidecar follows and names the dump's
     * SHA-256, so a reader can tell a sidecar of another run (two runs on one
     * path, or a failure between the two renames) and ignore it. */
    side = o->write_sidecar ? pipeline_sidecar_path(o->dump_path) : NULL;
    if (side) {
        free(meta);
        if (!(meta = build_meta(r, hash))) {
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (sink.dict)
            TKA_TRY_GOTO(st, tka_dict_set_meta(sink.dict, meta, err), out);
        st = write_sidecar(r, side, sink.dict, meta, err);
    }
out:
    free(side);
    free(meta);
    tka_buf_free(&bytes);
    r->result->keys = sink.keys;
    tka_reprod_writer_free(sink.writer);
    tka_dict_free(sink.dict);
    return st;
}
