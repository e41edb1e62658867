/* Golden test: every sampler order under golden/samplers (and the batch
 * order of every golden/pipeline dump) against tokalign's samplers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tokalign/sampler.h"

static const char *shared_dir;
static bool all_ok = true;

static json_t *load(const char *rel)
{
    json_error_t jerr;
    json_t *root = json_load_file(golden_path(shared_dir, rel), 0, &jerr);
    if (!root) {
        fprintf(stderr, "golden: cannot load %s: %s (line %d)\n", rel, jerr.text, jerr.line);
        all_ok = false;
    }
    return root;
}

static int64_t geti(const json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

static bool getb(const json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

static bool ids64_equal(const json_t *array, const int64_t *v, size_t n)
{
    if (!json_is_array(array) || json_array_size(array) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(array, i);
        if (!json_is_integer(x) || json_integer_value(x) != v[i])
            return false;
    }
    return true;
}

/* Compares a JSON list of batches with tokalign's batches. */
static bool batches_equal(const json_t *expected, const tka_batches *b)
{
    if (!json_is_array(expected) || json_array_size(expected) != b->num_batches)
        return false;
    for (size_t i = 0; i < b->num_batches; i++) {
        size_t start = i * b->batch_size;
        size_t len = b->count - start < b->batch_size ? b->count - start : b->batch_size;
        if (!ids64_equal(json_array_get(expected, i), b->indices + start, len))
            return false;
    }
    return true;
}

static bool run_spec(const tka_sampler_spec *spec, tka_batches *out, const char *file, size_t line)
{
    tka_error err;
    if (tka_sampler_batches(spec, out, &err) != TKA_OK) {
        fprintf(stderr, "ERROR %s case %zu: %s\n", file, line, err.message);
        return false;
    }
    return true;
}

static void check_mt19937(void)
{
    const char *file = "golden/samplers/mt19937_outputs.json";
    json_t *root = load(file);
    golden_tally t = {0};
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(root, "cases"), i, c)
    {
        tka_mt19937 g;
        tka_mt19937_seed(&g, (uint32_t)geti(c, "seed"));
        int64_t got[10];
        for (int k = 0; k < 10; k++)
            got[k] = tka_mt19937_next32(&g);
        golden_record(&t, ids64_equal(json_object_get(c, "first_10_uint32"), got, 10), file, i,
                      "first 10 outputs");
    }
    all_ok &= golden_report(&t, "mt19937_outputs");
    json_decref(root);
}

/* randperm / permutation files share the {n, seed, perm} layout. */
static void check_perms(const char *file, const char *label, bool numpy)
{
    json_t *root = load(file);
    golden_tally t = {0};
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(root, "cases"), i, c)
    {
        int64_t n = geti(c, "n");
        int64_t *perm = malloc((size_t)n * sizeof *perm);
        tka_mt19937 g;
        if (numpy) {
            tka_numpy_seed(&g, geti(c, "seed"), NULL);
            tka_numpy_permutation(&g, n, perm);
            golden_record(&t, ids64_equal(json_object_get(c, "perm"), perm, (size_t)n), file, i,
                          "numpy permutation");
        } else {
            /* n is below the inside-out threshold: both torch versions agree. */
            for (int v = 0; v < 2; v++) {
                tka_torch_manual_seed(&g, (uint64_t)geti(c, "seed"));
                tka_torch_randperm(&g, n, v ? TKA_TORCH_1_13 : TKA_TORCH_2, perm);
                golden_record(&t, ids64_equal(json_object_get(c, "perm"), perm, (size_t)n), file, i,
                              v ? "randperm (torch 1.13)" : "randperm (torch 2.x)");
            }
        }
        free(perm);
    }
    all_ok &= golden_report(&t, label);
    json_decref(root);
}

static void check_torch_random_sampler(void)
{
    const char *file = "golden/samplers/torch_random_sampler.json";
    json_t *root = load(file);
    golden_tally t = {0};
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(root, "cases"), i, c)
    {
        int64_t n = geti(c, "n");
        uint64_t seed = (uint64_t)geti(c, "global_seed");
        int64_t *order = malloc((size_t)n * sizeof *order);
        uint64_t drawn = 0;
        tka_torch_random_sampler cfg = {.n = n, .global_seed = seed};
        bool ok = tka_torch_random_sampler_order(&cfg, order, &drawn, NULL) == TKA_OK;
        golden_record(
            &t,
            ok && ids64_equal(json_object_get(c, "order_when_iterated_directly"), order, (size_t)n),
            file, i, "order when iterated directly");
        golden_record(&t, drawn == (uint64_t)geti(c, "sampler_seed_when_iterated_directly"), file,
                      i, "sampler seed when iterated directly");
        tka_mt19937 global;
        tka_torch_manual_seed(&global, seed);
        golden_record(&t, tka_torch_random_int64(&global) == geti(c, "dataloader_base_seed"), file,
                      i, "DataLoader base seed");
        cfg.through_dataloader = true;
        ok = tka_torch_random_sampler_order(&cfg, order, &drawn, NULL) == TKA_OK;
        golden_record(&t, ok && drawn == (uint64_t)geti(c, "sampler_seed_inside_dataloader"), file,
                      i, "sampler seed inside DataLoader");
        tka_sampler_spec spec;
        tka_sampler_spec_init(&spec, TKA_FLAVOR_TORCH, TKA_SAMPLER_RANDOM);
        spec.n = n;
        spec.batch_size = geti(c, "dataloader_batch_size");
        spec.has_seed = true;
        spec.seed = (int64_t)seed;
        tka_batches b;
        ok = run_spec(&spec, &b, file, i);
        golden_record(&t, ok && batches_equal(json_object_get(c, "dataloader_batches"), &b), file,
                      i, "DataLoader batches");
        tka_batches_free(&b);
        free(order);
    }
    all_ok &= golden_report(&t, "torch_random_sampler");
    json_decref(root);
}

static void check_torch_distributed(void)
{
    const char *file = "golden/samplers/torch_distributed_sampler.json";
    json_t *root = load(file);
    golden_tally t = {0};
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(root, "cases"), i, c)
    {
        int64_t w = geti(c, "num_replicas");
        json_t *ranks = json_object_get(c, "rank_indices");
        golden_record(&t, json_array_size(ranks) == (size_t)w, file, i, "rank count");
        int64_t ns = tka_torch_distributed_num_samples(geti(c, "n"), w, getb(c, "drop_last"));
        golden_record(&t, ns == geti(c, "num_samples"), file, i, "num_samples");
        for (int64_t r = 0; r < w; r++) {
            tka_torch_distributed_sampler cfg = {
                .n = geti(c, "n"),
                .num_replicas = w,
                .rank = r,
                .shuffle = getb(c, "shuffle"),
                .seed = (uint64_t)geti(c, "seed"),
                .epoch = geti(c, "epoch"),
                .drop_last = getb(c, "drop_last"),
            };
            int64_t *out = malloc(((size_t)ns + 1) * sizeof *out);
            bool ok = tka_torch_distributed_indices(&cfg, out, NULL) == TKA_OK;
            golden_record(&t, ok && ids64_equal(json_array_get(ranks, (size_t)r), out, (size_t)ns),
                          file, i, "rank indices");
            free(out);
        }
    }
    all_ok &= golden_report(&t, "torch_distributed_sampler");
    json_decref(root);
}

static void check_paddle(void)
{
    const char *file = "golden/samplers/paddle_samplers.json";
    json_t *root = load(file);
    golden_tally t = {0};
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(root, "distributed_batch_sampler"), i, c)
    {
        int64_t w = geti(c, "num_replicas");
        json_t *ranks = json_object_get(c, "rank_batches");
        golden_record(&t, json_array_size(ranks) == (size_t)w, file, i, "rank count");
        for (int64_t r = 0; r < w; r++) {
            tka_sampler_spec spec;
            tka_sampler_spec_init(&spec, TKA_FLAVOR_PADDLE, TKA_SAMPLER_DISTRIBUTED);
            spec.n = geti(c, "n");
            spec.batch_size = geti(c, "batch_size");
            spec.num_replicas = w;
            spec.rank = r;
            spec.shuffle = getb(c, "shuffle");
            spec.drop_last = getb(c, "drop_last");
            spec.epoch = geti(c, "epoch");
            tka_batches b;
            bool ok = run_spec(&spec, &b, file, i);
            golden_record(&t, ok && batches_equal(json_array_get(ranks, (size_t)r), &b), file, i,
                          "DistributedBatchSampler rank batches");
            tka_batches_free(&b);
        }
    }
    json_array_foreach(json_object_get(root, "random_sampler"), i, c)
    {
        int64_t n = geti(c, "n");
        int64_t *order = malloc((size_t)n * sizeof *order);
        bool ok = tka_paddle_random_sampler_order(n, geti(c, "numpy_global_seed"), 0, false, 0,
                                                  order, NULL) == TKA_OK;
        golden_record(
            &t, ok && ids64_equal(json_object_get(c, "random_sampler_order"), order, (size_t)n),
            file, i, "RandomSampler order");
        free(order);
        tka_sampler_spec spec;
        tka_sampler_spec_init(&spec, TKA_FLAVOR_PADDLE, TKA_SAMPLER_RANDOM);
        spec.n = n;
        spec.batch_size = 4;
        spec.has_seed = true;
        spec.seed = geti(c, "numpy_global_seed");
        tka_batches b;
        ok = run_spec(&spec, &b, file, i);
        golden_record(
            &t, ok && batches_equal(json_object_get(c, "batch_sampler_shuffle_bs4_batches"), &b),
            file, i, "BatchSampler(shuffle=True) batches");
        tka_batches_free(&b);
    }
    json_array_foreach(json_object_get(root, "sequence_batch_sampler"), i, c)
    {
        for (int flavor = 0; flavor < 2; flavor++) {
            tka_sampler_spec spec;
            tka_sampler_spec_init(&spec, flavor ? TKA_FLAVOR_PADDLE : TKA_FLAVOR_TORCH,
                                  TKA_SAMPLER_SEQUENTIAL);
            spec.n = geti(c, "n");
            spec.batch_size = geti(c, "batch_size");
            spec.drop_last = getb(c, "drop_last");
            tka_batches b;
            bool ok = run_spec(&spec, &b, file, i);
            golden_record(&t, ok && batches_equal(json_object_get(c, "batches"), &b), file, i,
                          flavor ? "Paddle sequential batches" : "torch sequential batches");
            tka_batches_free(&b);
        }
    }
    all_ok &= golden_report(&t, "paddle_samplers");
    json_decref(root);
}

/* The pipeline dumps record the dataset rows of every batch; each file maps
 * to the sampler call named in its meta.sampler. */
static void check_pipeline_batches(void)
{
    static const struct {
        const char *file;
        tka_flavor flavor;
        tka_sampler_kind kind;
        int64_t seed; /* -1: none */
        int64_t world, rank;
    } cases[] = {
        {"bert_seq_bs4_torch.json", TKA_FLAVOR_TORCH, TKA_SAMPLER_SEQUENTIAL, -1, 1, 0},
        {"bert_seq_bs4_paddle.json", TKA_FLAVOR_PADDLE, TKA_SAMPLER_SEQUENTIAL, -1, 1, 0},
        {"bert_random42_bs4_torch.json", TKA_FLAVOR_TORCH, TKA_SAMPLER_RANDOM, 42, 1, 0},
        {"bert_pdshuffle42_bs4_paddle.json", TKA_FLAVOR_PADDLE, TKA_SAMPLER_RANDOM, 42, 1, 0},
        {"bert_dist2r0_bs4_torch.json", TKA_FLAVOR_TORCH, TKA_SAMPLER_DISTRIBUTED, 0, 2, 0},
        {"bert_dist2r1_bs4_torch.json", TKA_FLAVOR_TORCH, TKA_SAMPLER_DISTRIBUTED, 0, 2, 1},
        {"bert_pddist2r0_bs4_paddle.json", TKA_FLAVOR_PADDLE, TKA_SAMPLER_DISTRIBUTED, -1, 2, 0},
        {"bert_pddist2r1_bs4_paddle.json", TKA_FLAVOR_PADDLE, TKA_SAMPLER_DISTRIBUTED, -1, 2, 1},
        {"reformer_seq_bs4_torch.json", TKA_FLAVOR_TORCH, TKA_SAMPLER_SEQUENTIAL, -1, 1, 0},
        {"reformer_seq_bs4_paddle.json", TKA_FLAVOR_PADDLE, TKA_SAMPLER_SEQUENTIAL, -1, 1, 0},
        {"reformer_seq_bs1_torch.json", TKA_FLAVOR_TORCH, TKA_SAMPLER_SEQUENTIAL, -1, 1, 0},
        {"reformer_seq_bs1_paddle.json", TKA_FLAVOR_PADDLE, TKA_SAMPLER_SEQUENTIAL, -1, 1, 0},
        {"bert_seq_bs4_maxlen128_torch.json", TKA_FLAVOR_TORCH, TKA_SAMPLER_SEQUENTIAL, -1, 1, 0},
        {"bert_seq_bs4_maxlen128_paddle.json", TKA_FLAVOR_PADDLE, TKA_SAMPLER_SEQUENTIAL, -1, 1, 0},
    };
    golden_tally t = {0};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "golden/pipeline/%s", cases[i].file);
        json_t *root = load(rel);
        json_t *meta = json_object_get(root, "meta");
        tka_sampler_spec spec;
        tka_sampler_spec_init(&spec, cases[i].flavor, cases[i].kind);
        /* demo.tsv has 32 rows: the "length" entry of every dump. */
        json_t *length = json_array_get(json_object_get(root, "entries"), 0);
        spec.n = json_integer_value(json_object_get(length, "data"));
        spec.batch_size = geti(meta, "batch_size");
        if (cases[i].seed >= 0 &&
            !(cases[i].flavor == TKA_FLAVOR_PADDLE && cases[i].kind == TKA_SAMPLER_DISTRIBUTED)) {
            spec.has_seed = true;
            spec.seed = cases[i].seed;
        }
        spec.num_replicas = cases[i].world;
        spec.rank = cases[i].rank;
        spec.shuffle = true; /* both distributed dumps shuffle */
        tka_batches b;
        bool ok = spec.n > 0 && run_spec(&spec, &b, rel, 0);
        golden_record(&t, ok && batches_equal(json_object_get(meta, "batch_indices"), &b), rel, 0,
                      "meta.batch_indices");
        if (ok)
            tka_batches_free(&b);
        json_decref(root);
    }
    all_ok &= golden_report(&t, "pipeline batch_indices");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SHARED_DIR\n", argv[0]);
        return 2;
    }
    shared_dir = argv[1];
    check_mt19937();
    check_perms("golden/samplers/torch_randperm.json", "torch_randperm", false);
    check_perms("golden/samplers/numpy_permutation.json", "numpy_permutation", true);
    check_torch_random_sampler();
    check_torch_distributed();
    check_paddle();
    check_pipeline_batches();
    return all_ok ? 0 : 1;
}
