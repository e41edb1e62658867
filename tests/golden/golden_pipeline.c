/* Golden test of the whole step-2 pipeline: every dump of shared/golden/pipeline
 * rebuilt from demo.tsv, compared byte for byte (.npy) and entry by entry
 * (the JSON mirror against the golden's), with 1 and 2 threads. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "core/io.h"
#include "tokalign/pipeline.h"

typedef struct config {
    const char *name;
    const char *tokenizer;
    tka_flavor flavor;
    tka_sampler_kind sampler;
    int64_t batch_size;
    int64_t num_batches; /* 0 = all */
    int64_t seed;        /* random: the seed */
    int64_t world, rank; /* distributed */
    int32_t pad_id;
    tka_padding padding; /* at tokenization time */
} config;

static const config configs[] = {
    {"bert_seq_bs4_torch", "bert-base-uncased", TKA_FLAVOR_TORCH, TKA_SAMPLER_SEQUENTIAL, 4, 5, 0,
     0, 0, -1, TKA_PAD_NONE},
    {"bert_seq_bs4_paddle", "bert-base-uncased", TKA_FLAVOR_PADDLE, TKA_SAMPLER_SEQUENTIAL, 4, 5, 0,
     0, 0, -1, TKA_PAD_NONE},
    {"bert_random42_bs4_torch", "bert-base-uncased", TKA_FLAVOR_TORCH, TKA_SAMPLER_RANDOM, 4, 0, 42,
     0, 0, -1, TKA_PAD_NONE},
    {"bert_pdshuffle42_bs4_paddle", "bert-base-uncased", TKA_FLAVOR_PADDLE, TKA_SAMPLER_RANDOM, 4,
     0, 42, 0, 0, -1, TKA_PAD_NONE},
    {"bert_dist2r0_bs4_torch", "bert-base-uncased", TKA_FLAVOR_TORCH, TKA_SAMPLER_DISTRIBUTED, 4, 0,
     0, 2, 0, -1, TKA_PAD_NONE},
    {"bert_dist2r1_bs4_torch", "bert-base-uncased", TKA_FLAVOR_TORCH, TKA_SAMPLER_DISTRIBUTED, 4, 0,
     0, 2, 1, -1, TKA_PAD_NONE},
    {"bert_pddist2r0_bs4_paddle", "bert-base-uncased", TKA_FLAVOR_PADDLE, TKA_SAMPLER_DISTRIBUTED,
     4, 0, 0, 2, 0, -1, TKA_PAD_NONE},
    {"bert_pddist2r1_bs4_paddle", "bert-base-uncased", TKA_FLAVOR_PADDLE, TKA_SAMPLER_DISTRIBUTED,
     4, 0, 0, 2, 1, -1, TKA_PAD_NONE},
    {"reformer_seq_bs4_torch", "bpe320_republic", TKA_FLAVOR_TORCH, TKA_SAMPLER_SEQUENTIAL, 4, 5, 0,
     0, 0, 2, TKA_PAD_NONE},
    {"reformer_seq_bs4_paddle", "bpe320_republic", TKA_FLAVOR_PADDLE, TKA_SAMPLER_SEQUENTIAL, 4, 5,
     0, 0, 0, 2, TKA_PAD_NONE},
    {"reformer_seq_bs1_torch", "bpe320_republic", TKA_FLAVOR_TORCH, TKA_SAMPLER_SEQUENTIAL, 1, 5, 0,
     0, 0, 2, TKA_PAD_NONE},
    {"reformer_seq_bs1_paddle", "bpe320_republic", TKA_FLAVOR_PADDLE, TKA_SAMPLER_SEQUENTIAL, 1, 5,
     0, 0, 0, 2, TKA_PAD_NONE},
    /* fixed-length padding: HF padding="max_length" / PaddleNLP pad_to_max_seq_len=True */
    {"bert_seq_bs4_maxlen128_torch", "bert-base-uncased", TKA_FLAVOR_TORCH, TKA_SAMPLER_SEQUENTIAL,
     4, 5, 0, 0, 0, -1, TKA_PAD_MAX_LENGTH},
    {"bert_seq_bs4_maxlen128_paddle", "bert-base-uncased", TKA_FLAVOR_PADDLE,
     TKA_SAMPLER_SEQUENTIAL, 4, 5, 0, 0, 0, -1, TKA_PAD_MAX_LENGTH},
};

static bool same_bytes(const char *a, const char *b)
{
    tka_buf x = {0}, y = {0};
    bool same = tka_read_file(a, 0, &x, NULL) == TKA_OK &&
                tka_read_file(b, 0, &y, NULL) == TKA_OK && x.len == y.len &&
                memcmp(x.data, y.data, x.len) == 0;
    tka_buf_free(&x);
    tka_buf_free(&y);
    return same;
}

/* The entries of both mirrors are equal, and the logged batches' rows are
 * the golden's meta.batch_indices. */
static bool same_mirror(const char *ours, const char *golden, size_t logged)
{
    json_error_t e;
    json_t *a = json_load_file(ours, 0, &e), *b = json_load_file(golden, 0, &e);
    bool ok = a && b && json_equal(json_object_get(a, "entries"), json_object_get(b, "entries"));
    json_t *ia = json_object_get(json_object_get(a, "meta"), "batch_indices");
    json_t *ib = json_object_get(json_object_get(b, "meta"), "batch_indices");
    ok = ok && json_array_size(ia) == logged;
    for (size_t i = 0; ok && i < logged; i++)
        ok = json_equal(json_array_get(ia, i), json_array_get(ib, i));
    json_decref(a);
    json_decref(b);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: golden_pipeline SHARED_DIR\n");
        return 2;
    }
    const char *shared = argv[1];
    char tsv[4096], mirror[4096], dir[] = "golden_pipeline_XXXXXX";
    snprintf(tsv, sizeof tsv, "%s/data/demo_sst2_sentence/demo.tsv", shared);
    snprintf(mirror, sizeof mirror, "%s/data", shared);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    golden_tally bytes = {0}, mirrors = {0};
    for (int threads = 1; threads <= 2; threads++) {
        for (size_t c = 0; c < sizeof configs / sizeof *configs; c++) {
            const config *k = &configs[c];
            tka_pipeline_options o;
            tka_pipeline_options_init(&o, k->flavor);
            o.sampler.kind = k->sampler;
            o.sampler.has_seed = k->sampler == TKA_SAMPLER_RANDOM;
            o.sampler.seed = k->seed;
            if (k->sampler == TKA_SAMPLER_DISTRIBUTED) {
                o.sampler.num_replicas = k->world;
                o.sampler.rank = k->rank;
                o.sampler.shuffle = true; /* both goldens shuffle (Paddle's default is off) */
            }
            o.data_path = tsv;
            o.tokenizer = k->tokenizer;
            o.tokenizer_options.mirror_dir = mirror;
            o.batch_size = k->batch_size;
            o.num_batches = k->num_batches;
            o.pad_id = k->pad_id;
            o.padding = k->padding;
            o.threads = threads;
            o.sidecar_entries = true;
            char dump[4200], side[4200], golden[4200], golden_json[4200];
            snprintf(dump, sizeof dump, "%s/%s.npy", dir, k->name);
            snprintf(side, sizeof side, "%s/%s.json", dir, k->name);
            snprintf(golden, sizeof golden, "%s/golden/pipeline/%s.npy", shared, k->name);
            snprintf(golden_json, sizeof golden_json, "%s/golden/pipeline/%s.json", shared,
                     k->name);
            o.dump_path = dump;
            tka_pipeline_result res;
            tka_error err;
            tka_error_clear(&err);
            tka_status st = tka_pipeline_run(&o, &res, NULL, &err);
            char what[1600];
            snprintf(what, sizeof what, "%s (threads %d): %s", k->name, threads,
                     st == TKA_OK ? "differs" : err.message);
            golden_record(&bytes, st == TKA_OK && same_bytes(dump, golden), golden, 0, what);
            golden_record(&mirrors,
                          st == TKA_OK && same_mirror(side, golden_json, res.batches_logged),
                          golden_json, 0, what);
            unlink(dump);
            unlink(side);
        }
    }
    rmdir(dir);
    bool ok = golden_report(&bytes, "pipeline dumps, byte for byte (14 goldens x 1 and 2 threads)");
    ok &= golden_report(&mirrors, "pipeline JSON mirrors: entries and logged batch rows");
    return ok ? 0 : 1;
}
