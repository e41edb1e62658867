/* Unit tests of the samplers: the worked examples of samplers.md, torch 2.x's
 * inside-out randperm, seeds, errors and the batching arithmetic. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/sampler_internal.h"
#include "tokalign/sampler.h"

static void expect_ids(const int64_t *got, const int64_t *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(got[i], want[i], "%s: position %zu: got %lld, want %lld", what, i,
                     (long long)got[i], (long long)want[i]);
}

static tka_batches batches_of(const tka_sampler_spec *spec)
{
    tka_batches b;
    tka_error err;
    cr_assert_eq(tka_sampler_batches(spec, &b, &err), TKA_OK, "%s", err.message);
    return b;
}

Test(torch, randperm_worked_example)
{
    tka_mt19937 g;
    int64_t perm[10];
    tka_torch_manual_seed(&g, 0);
    tka_torch_randperm(&g, 10, TKA_TORCH_2, perm);
    expect_ids(perm, (const int64_t[]){4, 1, 7, 5, 3, 9, 0, 8, 6, 2}, 10, "randperm(10), seed 0");
}

Test(torch, manual_seed_keeps_low_32_bits)
{
    tka_mt19937 a, b, c;
    int64_t pa[10], pb[10], pc[10];
    tka_torch_manual_seed(&a, (UINT64_C(1) << 32) + 5);
    tka_torch_manual_seed(&b, 5);
    tka_torch_randperm(&a, 10, TKA_TORCH_2, pa);
    tka_torch_randperm(&b, 10, TKA_TORCH_2, pb);
    expect_ids(pa, pb, 10, "seed 2^32+5 vs 5");
    expect_ids(pb, (const int64_t[]){1, 4, 9, 6, 3, 5, 0, 2, 8, 7}, 10, "seed 5");
    /* torch.manual_seed(-1) is taken modulo 2^64 (mt_model.py) */
    tka_torch_manual_seed(&c, (uint64_t)INT64_C(-1));
    tka_torch_randperm(&c, 10, TKA_TORCH_2, pc);
    expect_ids(pc, (const int64_t[]){1, 4, 6, 2, 0, 5, 8, 7, 9, 3}, 10, "seed -1");
}

Test(torch, randperm_inside_out_variant)
{
    /* Values from the inside-out branch of shared/oracle/pipeline/mt_model.py
     * (torch_randperm's n >= 214748364 loop) run at small n. */
    tka_mt19937 g;
    int64_t perm[17];
    tka_torch_manual_seed(&g, 0);
    tka_torch_randperm_inside_out(&g, 10, perm);
    expect_ids(perm, (const int64_t[]){8, 2, 6, 3, 5, 1, 0, 9, 7, 4}, 10, "inside-out n=10 seed 0");
    tka_torch_manual_seed(&g, 42);
    tka_torch_randperm_inside_out(&g, 17, perm);
    expect_ids(perm, (const int64_t[]){15, 12, 5, 11, 10, 13, 3, 1, 9, 4, 7, 14, 0, 2, 8, 16, 6},
               17, "inside-out n=17 seed 42");
    /* Which branch each version takes around the threshold 0xffffffff / 20. */
    cr_expect_eq(TKA_TORCH_RANDPERM_INSIDE_OUT_MIN, 0xffffffffLL / 20);
    cr_expect(
        !tka_torch_randperm_is_inside_out(TKA_TORCH_RANDPERM_INSIDE_OUT_MIN - 1, TKA_TORCH_2));
    cr_expect(tka_torch_randperm_is_inside_out(TKA_TORCH_RANDPERM_INSIDE_OUT_MIN, TKA_TORCH_2));
    cr_expect(!tka_torch_randperm_is_inside_out(TKA_TORCH_RANDPERM_INSIDE_OUT_MIN, TKA_TORCH_1_13));
    cr_expect(!tka_torch_randperm_is_inside_out(INT64_C(1) << 40, TKA_TORCH_1_13));
}

Test(torch, random_sampler_direct_and_through_dataloader)
{
    tka_torch_random_sampler cfg = {.n = 10, .global_seed = 0};
    int64_t order[10];
    uint64_t seed;
    cr_assert_eq(tka_torch_random_sampler_order(&cfg, order, &seed, NULL), TKA_OK);
    cr_expect_eq(seed, UINT64_C(900450186894289455));
    expect_ids(order, (const int64_t[]){6, 9, 0, 7, 3, 5, 4, 2, 1, 8}, 10, "direct");
    cfg.through_dataloader = true;
    cr_assert_eq(tka_torch_random_sampler_order(&cfg, order, &seed, NULL), TKA_OK);
    cr_expect_eq(seed, UINT64_C(3969543146641149120));
    tka_sampler_spec spec;
    tka_sampler_spec_init(&spec, TKA_FLAVOR_TORCH, TKA_SAMPLER_RANDOM);
    spec.n = 10;
    spec.batch_size = 4;
    spec.has_seed = true;
    spec.seed = 0;
    tka_batches b = batches_of(&spec);
    cr_assert_eq(b.num_batches, 3);
    cr_assert_eq(b.count, 10);
    expect_ids(b.indices, (const int64_t[]){6, 7, 1, 4, 2, 0, 9, 8, 3, 5}, 10, "DataLoader");
    tka_batches_free(&b);
}

Test(torch, random_sampler_epochs_advance_the_global_generator)
{
    /* Pass e uses global words 4e+2, 4e+3 through a DataLoader, 2e, 2e+1 directly. */
    tka_mt19937 global, gen;
    tka_torch_manual_seed(&global, 7);
    for (int e = 0; e < 3; e++) {
        (void)tka_torch_random_int64(&global); /* DataLoader base seed */
        int64_t seed = tka_torch_random_int64(&global);
        tka_torch_manual_seed(&gen, (uint64_t)seed);
        int64_t want[12], got[12];
        tka_torch_randperm(&gen, 12, TKA_TORCH_2, want);
        tka_torch_random_sampler cfg = {
            .n = 12, .global_seed = 7, .through_dataloader = true, .epoch = e};
        cr_assert_eq(tka_torch_random_sampler_order(&cfg, got, NULL, NULL), TKA_OK);
        expect_ids(got, want, 12, "epoch");
    }
}

Test(torch, random_sampler_with_generator_and_num_samples)
{
    /* RandomSampler(ds, num_samples=25, generator=g): two full randperms of 10,
     * then randperm(10)[:5]; the next pass continues on the same generator. */
    tka_mt19937 g;
    tka_torch_manual_seed(&g, 3);
    int64_t want[60], p[10];
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int r = 0; r < 3; r++) {
            tka_torch_randperm(&g, 10, TKA_TORCH_2, p);
            size_t take = r < 2 ? 10 : 5;
            memcpy(want + k, p, take * sizeof *p);
            k += take;
        }
    }
    int64_t got[25];
    for (int pass = 0; pass < 2; pass++) {
        tka_torch_random_sampler cfg = {
            .n = 10, .num_samples = 25, .has_generator = true, .generator_seed = 3, .epoch = pass};
        cr_assert_eq(tka_torch_random_sampler_length(&cfg), 25);
        cr_assert_eq(tka_torch_random_sampler_order(&cfg, got, NULL, NULL), TKA_OK);
        expect_ids(got, want + 25 * pass, 25, "num_samples=25");
    }
}

Test(torch, random_sampler_with_replacement_uses_randint)
{
    tka_mt19937 g;
    tka_torch_manual_seed(&g, 11);
    int64_t want[40], got[40];
    for (int i = 0; i < 40; i++)
        want[i] = (int64_t)(tka_mt19937_next32(&g) % 6);
    tka_torch_random_sampler cfg = {.n = 6,
                                    .num_samples = 40,
                                    .replacement = true,
                                    .has_generator = true,
                                    .generator_seed = 11};
    cr_assert_eq(tka_torch_random_sampler_order(&cfg, got, NULL, NULL), TKA_OK);
    expect_ids(got, want, 40, "replacement");
    /* randint above 2^32 takes a 64-bit draw */
    tka_torch_manual_seed(&g, 11);
    uint64_t w = tka_mt19937_next64(&g);
    tka_torch_manual_seed(&g, 11);
    cr_expect_eq(tka_torch_randint(&g, INT64_C(1) << 33), (int64_t)(w % (UINT64_C(1) << 33)));
}

Test(torch, random_sampler_refusals)
{
    tka_error err;
    int64_t out[1];
    tka_torch_random_sampler empty = {.n = 0};
    cr_expect_eq(tka_torch_random_sampler_order(&empty, out, NULL, &err), TKA_ERR_REFERENCE);
    cr_expect(strstr(err.message, "num_samples should be a positive integer") != NULL);
    tka_sampler_spec spec;
    tka_sampler_spec_init(&spec, TKA_FLAVOR_TORCH, TKA_SAMPLER_RANDOM);
    spec.n = 5;
    tka_batches b;
    cr_expect_eq(tka_sampler_batches(&spec, &b, &err), TKA_ERR_ARGUMENT);
    cr_expect(strstr(err.message, "needs a seed") != NULL, "%s", err.message);
}

Test(torch, distributed_worked_examples)
{
    int64_t out[8];
    tka_torch_distributed_sampler cfg = {.n = 10, .num_replicas = 3};
    const int64_t plain[3][4] = {{0, 3, 6, 9}, {1, 4, 7, 0}, {2, 5, 8, 1}};
    const int64_t shuffled[3][4] = {{4, 5, 0, 2}, {1, 3, 8, 4}, {7, 9, 6, 1}};
    for (int r = 0; r < 3; r++) {
        cfg.rank = r;
        cfg.shuffle = false;
        cfg.drop_last = false;
        cr_assert_eq(tka_torch_distributed_indices(&cfg, out, NULL), TKA_OK);
        expect_ids(out, plain[r], 4, "no shuffle");
        cfg.drop_last = true;
        cr_assert_eq(tka_torch_distributed_num_samples(10, 3, true), 3);
        cr_assert_eq(tka_torch_distributed_indices(&cfg, out, NULL), TKA_OK);
        expect_ids(out, plain[r], 3, "no shuffle, drop_last");
        cfg.shuffle = true;
        cfg.drop_last = false;
        cr_assert_eq(tka_torch_distributed_indices(&cfg, out, NULL), TKA_OK);
        expect_ids(out, shuffled[r], 4, "shuffle seed 0");
    }
    /* drop_last with n < W: ceil of a negative quotient is 0 */
    cr_expect_eq(tka_torch_distributed_num_samples(5, 8, true), 0);
    cr_expect_eq(tka_torch_distributed_num_samples(3, 8, false), 1);
    tka_error err;
    cfg.rank = 3;
    cr_expect_eq(tka_torch_distributed_indices(&cfg, out, &err), TKA_ERR_REFERENCE);
    cr_expect(strstr(err.message, "Invalid rank 3, rank should be in the interval [0, 2]") != NULL);
}

Test(numpy, permutation_and_seed_range)
{
    tka_mt19937 g;
    int64_t p[10];
    cr_assert_eq(tka_numpy_seed(&g, 0, NULL), TKA_OK);
    tka_numpy_permutation(&g, 10, p);
    expect_ids(p, (const int64_t[]){2, 8, 4, 9, 1, 6, 7, 3, 0, 5}, 10, "RandomState(0)");
    cr_assert_eq(tka_numpy_seed(&g, 42, NULL), TKA_OK);
    tka_numpy_permutation(&g, 10, p);
    expect_ids(p, (const int64_t[]){8, 1, 5, 0, 7, 2, 9, 4, 3, 6}, 10, "RandomState(42)");
    tka_error err;
    cr_expect_eq(tka_numpy_seed(&g, -1, &err), TKA_ERR_REFERENCE);
    cr_expect_eq(tka_numpy_seed(&g, INT64_C(1) << 32, &err), TKA_ERR_REFERENCE);
    cr_expect_eq(tka_numpy_seed(&g, INT64_C(0xffffffff), &err), TKA_OK);
}

Test(numpy, random_interval_matches_legacy_randint)
{
    /* np.random.RandomState(7).randint(0, 1001, 5) and
     * randint(0, 2**40 + 6, 3, dtype=int64) (numpy 1.24). */
    tka_mt19937 g;
    tka_numpy_seed(&g, 7, NULL);
    const uint64_t small[] = {175, 196, 537, 502, 579};
    for (int i = 0; i < 5; i++)
        cr_expect_eq(tka_numpy_random_interval(&g, 1000), small[i]);
    tka_numpy_seed(&g, 7, NULL);
    const uint64_t big[] = {752595690692u, 108744157686u, 291964244179u};
    for (int i = 0; i < 3; i++)
        cr_expect_eq(tka_numpy_random_interval(&g, (UINT64_C(1) << 40) + 5), big[i]);
    cr_expect_eq(tka_numpy_random_interval(&g, 0), 0);
}

Test(paddle, random_sampler_and_epochs)
{
    int64_t order[10], again[10];
    cr_assert_eq(tka_paddle_random_sampler_order(10, 42, 0, false, 0, order, NULL), TKA_OK);
    expect_ids(order, (const int64_t[]){8, 1, 5, 0, 7, 2, 9, 4, 3, 6}, 10, "seed 42");
    /* pass 1 continues numpy's global state: a second permutation */
    tka_mt19937 g;
    tka_numpy_seed(&g, 42, NULL);
    tka_numpy_permutation(&g, 10, again);
    tka_numpy_permutation(&g, 10, again);
    cr_assert_eq(tka_paddle_random_sampler_order(10, 42, 0, false, 1, order, NULL), TKA_OK);
    expect_ids(order, again, 10, "pass 1");
    /* with replacement: np.random.choice(arange(1001), 5) after seed 7 */
    int64_t rep[5];
    cr_assert_eq(tka_paddle_random_sampler_order(1001, 7, 5, true, 0, rep, NULL), TKA_OK);
    expect_ids(rep, (const int64_t[]){175, 196, 537, 502, 579}, 5, "replacement");
    tka_error err;
    cr_expect_eq(tka_paddle_random_sampler_order(3, 0, 4, false, 0, rep, &err), TKA_ERR_REFERENCE);
}

Test(paddle, distributed_batch_sampler_worked_examples)
{
    tka_sampler_spec spec;
    tka_sampler_spec_init(&spec, TKA_FLAVOR_PADDLE, TKA_SAMPLER_DISTRIBUTED);
    cr_expect(!spec.shuffle, "Paddle's DistributedBatchSampler does not shuffle by default");
    spec.n = 10;
    spec.batch_size = 3;
    spec.num_replicas = 2;
    spec.rank = 0;
    tka_batches b = batches_of(&spec);
    cr_expect_eq(b.num_batches, 2);
    expect_ids(b.indices, (const int64_t[]){0, 1, 2, 6, 7}, 5, "rank 0");
    tka_batches_free(&b);
    spec.rank = 1;
    b = batches_of(&spec);
    expect_ids(b.indices, (const int64_t[]){3, 4, 5, 8, 9}, 5, "rank 1");
    tka_batches_free(&b);
    spec.shuffle = true;
    spec.rank = 0;
    b = batches_of(&spec);
    expect_ids(b.indices, (const int64_t[]){2, 8, 4, 7, 3}, 5, "shuffled rank 0");
    tka_batches_free(&b);
    spec.rank = 1;
    b = batches_of(&spec);
    expect_ids(b.indices, (const int64_t[]){9, 1, 6, 0, 5}, 5, "shuffled rank 1");
    tka_batches_free(&b);
    spec.shuffle = false;
    spec.num_replicas = 3;
    spec.rank = 1;
    b = batches_of(&spec);
    cr_expect_eq(b.num_batches, 2);
    cr_expect_eq(b.count, 4);
    expect_ids(b.indices, (const int64_t[]){3, 4, 5, 0}, 4, "W=3 rank 1");
    tka_batches_free(&b);
    spec.drop_last = true;
    b = batches_of(&spec);
    cr_expect_eq(b.num_batches, 1);
    cr_expect_eq(b.count, 3);
    tka_batches_free(&b);
}

Test(batching, counts_and_refusals)
{
    cr_expect_eq(tka_batch_count(10, 4, false), 3);
    cr_expect_eq(tka_batch_count(10, 4, true), 2);
    cr_expect_eq(tka_batch_count(8, 4, true), 2);
    cr_expect_eq(tka_batch_count(0, 4, false), 0);
    tka_sampler_spec spec;
    tka_sampler_spec_init(&spec, TKA_FLAVOR_TORCH, TKA_SAMPLER_SEQUENTIAL);
    spec.n = 5;
    spec.batch_size = 0;
    tka_batches b;
    tka_error err;
    cr_expect_eq(tka_sampler_batches(&spec, &b, &err), TKA_ERR_REFERENCE);
    spec.batch_size = 2;
    spec.rank = 1;
    cr_expect_eq(tka_sampler_batches(&spec, &b, &err), TKA_ERR_ARGUMENT);
    char desc[256];
    spec.rank = 0;
    cr_expect_eq(tka_sampler_describe(&spec, desc, sizeof desc), TKA_OK);
    cr_expect_str_eq(desc, "DataLoader(ds, batch_size=2, shuffle=False, drop_last=False)");
}
