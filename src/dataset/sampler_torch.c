/* torch CPU sampling: manual_seed, random_(), randint, randperm, RandomSampler, DistributedSampler. */
#include <stdlib.h>
#include <string.h>

#include "dataset/sampler_internal.h"
#include "tokalign/sampler.h"

void tka_torch_manual_seed(tka_mt19937 *g, uint64_t seed)
{
    /* COMPAT: torch keeps the 64-bit seed for initial_seed() but its mt19937
     * engine is seeded with the low 32 bits only: seeds equal mod 2^32 give
     * identical streams. */
    tka_mt19937_seed(g, (uint32_t)(seed & UINT32_C(0xffffffff)));
}

int64_t tka_torch_random_int64(tka_mt19937 *g)
{
    /* random_() on int64 draws random64() and reduces it modulo max+1 = 2^63. */
    return (int64_t)(tka_mt19937_next64(g) & UINT64_C(0x7fffffffffffffff));
}

int64_t tka_torch_randint(tka_mt19937 *g, int64_t high)
{
    /* COMPAT: plain (biased) modulo, 32-bit draw below 2^32, 64-bit above. */
    uint64_t range = (uint64_t)high;
    if (range >= (UINT64_C(1) << 32))
        return (int64_t)(tka_mt19937_next64(g) % range);
    return (int64_t)(tka_mt19937_next32(g) % range);
}

bool tka_torch_randperm_is_inside_out(int64_t n, tka_torch_version version)
{
    /* COMPAT: torch 2.x switches to an "inside-out" Fisher-Yates with 64-bit
     * draws for n >= 0xffffffff / 20; torch 1.13 keeps the swap loop for all n. */
    return version == TKA_TORCH_2 && n >= TKA_TORCH_RANDPERM_INSIDE_OUT_MIN;
}

void tka_torch_randperm_inside_out(tka_mt19937 *g, int64_t n, int64_t *out)
{
    for (int64_t i = 0; i < n; i++) {
        int64_t z = (int64_t)(tka_mt19937_next64(g) % (uint64_t)(i + 1));
        out[i] = i; /* torch writes i first, so z == i leaves i in place */
        out[i] = out[z];
        out[z] = i;
    }
}

void tka_torch_randperm(tka_mt19937 *g, int64_t n, tka_torch_version version, int64_t *out)
{
    if (n <= 0)
        return;
    if (tka_torch_randperm_is_inside_out(n, version)) {
        tka_torch_randperm_inside_out(g, n, out);
        return;
    }
    for (int64_t i = 0; i < n; i++)
        out[i] = i;
    for (int64_t i = 0; i < n - 1; i++) {
        /* COMPAT: torch uses next32() % (n - i): biased modulo, no rejection. */
        int64_t z = (int64_t)(tka_mt19937_next32(g) % (uint64_t)(n - i));
        int64_t save = out[i];
        out[i] = out[i + z];
        out[i + z] = save;
    }
}

int64_t tka_torch_random_sampler_length(const tka_torch_random_sampler *cfg)
{
    return cfg->num_samples > 0 ? cfg->num_samples : cfg->n;
}

/* One __iter__ of RandomSampler on generator g, run to exhaustion as a
 * DataLoader does. out may be NULL to only advance g (earlier epochs). The
 * scratch buffer holds one randperm(n). */
static void random_sampler_pass(const tka_torch_random_sampler *cfg, tka_mt19937 *g,
                                int64_t *scratch, int64_t *out)
{
    int64_t n = cfg->n, ns = tka_torch_random_sampler_length(cfg), pos = 0;
    if (cfg->replacement) {
        /* Blocks of 32 randint values, then num_samples % 32 more, all in order. */
        for (int64_t i = 0; i < ns; i++) {
            int64_t v = tka_torch_randint(g, n);
            if (out)
                out[pos++] = v;
        }
        return;
    }
    for (int64_t k = 0; k < ns / n; k++) {
        tka_torch_randperm(g, n, cfg->version, scratch);
        if (out) {
            memcpy(out + pos, scratch, (size_t)n * sizeof *out);
            pos += n;
        }
    }
    /* COMPAT: the sampler always calls randperm once more for the remainder,
     * even when num_samples % n == 0; a DataLoader reaches that call when it
     * exhausts the sampler, so an explicit generator advances by it. */
    tka_torch_randperm(g, n, cfg->version, scratch);
    if (out)
        memcpy(out + pos, scratch, (size_t)(ns % n) * sizeof *out);
}

tka_status tka_torch_random_sampler_order(const tka_torch_random_sampler *cfg, int64_t *out,
                                          uint64_t *drawn_seed, tka_error *err)
{
    if (cfg->n < 0 || cfg->num_samples < 0 || cfg->epoch < 0)
        return tka_sampler_negative(err, "RandomSampler", "length or epoch");
    int64_t ns = tka_torch_random_sampler_length(cfg);
    if (ns <= 0)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "num_samples should be a positive integer value, but got "
                             "num_samples=%lld (torch RandomSampler raises ValueError)",
                             (long long)ns);
    if (cfg->n == 0)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "RandomSampler over an empty dataset with num_samples=%lld: torch "
                             "raises (ZeroDivisionError / randint range error)",
                             (long long)ns);
    int64_t *scratch = NULL;
    if (!cfg->replacement) {
        if ((uint64_t)cfg->n > SIZE_MAX / sizeof *scratch ||
            !(scratch = malloc((size_t)cfg->n * sizeof *scratch)))
            return tka_sampler_nomem(err, "RandomSampler", cfg->n);
    }
    tka_mt19937 global, gen;
    if (drawn_seed)
        *drawn_seed = 0;
    if (cfg->has_generator) {
        /* An explicit generator carries its state from one pass to the next. */
        tka_torch_manual_seed(&gen, cfg->generator_seed);
        for (int64_t e = 0; e < cfg->epoch; e++)
            random_sampler_pass(cfg, &gen, scratch, NULL);
        random_sampler_pass(cfg, &gen, scratch, out);
    } else {
        tka_torch_manual_seed(&global, cfg->global_seed);
        uint64_t seed = 0;
        for (int64_t e = 0; e <= cfg->epoch; e++) {
            /* COMPAT: iter(DataLoader) draws its worker base seed from the
             * global generator before the sampler's first next(), so the
             * sampler seed comes from words 2 and 3, not 0 and 1. */
            if (cfg->through_dataloader)
                (void)tka_torch_random_int64(&global);
            seed = (uint64_t)tka_torch_random_int64(&global);
        }
        if (drawn_seed)
            *drawn_seed = seed;
        tka_torch_manual_seed(&gen, seed);
        random_sampler_pass(cfg, &gen, scratch, out);
    }
    free(scratch);
    return TKA_OK;
}

int64_t tka_torch_distributed_num_samples(int64_t n, int64_t num_replicas, bool drop_last)
{
    if (num_replicas <= 0 || n < 0)
        return 0;
    if (drop_last && n % num_replicas != 0) {
        /* COMPAT: math.ceil((n - W) / W) — for n < W the quotient is in
         * (-1, 0) and rounds up to 0, so every shard is empty. */
        if (n < num_replicas)
            return 0;
        return (n - num_replicas + num_replicas - 1) / num_replicas;
    }
    return n / num_replicas + (n % num_replicas != 0);
}

tka_status tka_torch_distributed_indices(const tka_torch_distributed_sampler *cfg, int64_t *out,
                                         tka_error *err)
{
    if (cfg->num_replicas < 1)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "DistributedSampler: num_replicas must be >= 1, got %lld",
                             (long long)cfg->num_replicas);
    if (cfg->rank < 0 || cfg->rank >= cfg->num_replicas)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "Invalid rank %lld, rank should be in the interval [0, %lld] "
                             "(torch DistributedSampler raises ValueError)",
                             (long long)cfg->rank, (long long)(cfg->num_replicas - 1));
    if (cfg->n < 0)
        return tka_sampler_negative(err, "DistributedSampler", "dataset length");
    int64_t n = cfg->n, w = cfg->num_replicas;
    int64_t num_samples = tka_torch_distributed_num_samples(n, w, cfg->drop_last);
    if (num_samples == 0)
        return TKA_OK;
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    if (!perm)
        return tka_sampler_nomem(err, "DistributedSampler", n);
    if (cfg->shuffle) {
        /* A fresh generator per __iter__, seeded with seed + epoch; the
         * global generator is not touched. */
        tka_mt19937 g;
        tka_torch_manual_seed(&g, cfg->seed + (uint64_t)cfg->epoch);
        tka_torch_randperm(&g, n, cfg->version, perm);
    } else {
        for (int64_t i = 0; i < n; i++)
            perm[i] = i;
    }
    /* Padding repeats the list from its start (cyclically when the padding is
     * longer than the list); drop_last instead trims to total, which never
     * exceeds n. Either way position p of the padded list is perm[p % n]. */
    for (int64_t k = 0; k < num_samples; k++) {
        int64_t p = cfg->rank + k * w; /* strided, not contiguous */
        out[k] = perm[p % n];
    }
    free(perm);
    return TKA_OK;
}
