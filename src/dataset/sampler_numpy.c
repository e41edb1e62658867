/* numpy legacy RandomState draws and the Paddle samplers built on them. */
#include <stdlib.h>
#include <string.h>

#include "dataset/sampler_internal.h"
#include "tokalign/sampler.h"
#include "core/try.h"

tka_status tka_numpy_seed(tka_mt19937 *g, int64_t seed, tka_error *err)
{
    if (seed < 0 || seed > INT64_C(0xffffffff))
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "Seed must be between 0 and 2**32 - 1, got %lld "
                             "(numpy RandomState raises ValueError)",
                             (long long)seed);
    tka_mt19937_seed(g, (uint32_t)seed);
    return TKA_OK;
}

uint64_t tka_numpy_random_interval(tka_mt19937 *g, uint64_t max)
{
    if (max == 0)
        return 0;
    uint64_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t v;
    /* Masked rejection: the number of words consumed varies with the draws. */
    if (max <= UINT64_C(0xffffffff)) {
        while ((v = (tka_mt19937_next32(g) & mask)) > max)
            ;
    } else {
        while ((v = (tka_mt19937_next64(g) & mask)) > max)
            ;
    }
    return v;
}

void tka_numpy_shuffle(tka_mt19937 *g, int64_t *values, size_t n)
{
    /* From the end down to index 1, swap with a uniform index in [0, i]. */
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)tka_numpy_random_interval(g, i);
        int64_t t = values[i];
        values[i] = values[j];
        values[j] = t;
    }
}

void tka_numpy_permutation(tka_mt19937 *g, int64_t n, int64_t *out)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = i;
    if (n > 0)
        tka_numpy_shuffle(g, out, (size_t)n);
}

tka_status tka_paddle_random_sampler_order(int64_t n, int64_t numpy_seed, int64_t num_samples,
                                           bool replacement, int64_t epoch, int64_t *out,
                                           tka_error *err)
{
    if (n < 0 || num_samples < 0 || epoch < 0)
        return tka_sampler_negative(err, "RandomSampler", "length or epoch");
    int64_t ns = num_samples > 0 ? num_samples : n;
    if (ns <= 0)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "num_samples should be a positive integer, but got num_samples=%lld "
                             "(Paddle RandomSampler raises ValueError)",
                             (long long)ns);
    if (!replacement && ns > n)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "num_samples=%lld is larger than the dataset (%lld) without "
                             "replacement (Paddle RandomSampler raises ValueError)",
                             (long long)ns, (long long)n);
    tka_mt19937 g;
    TKA_TRY(tka_numpy_seed(&g, numpy_seed, err));
    int64_t *perm = NULL;
    if (!replacement && !(perm = malloc((size_t)n * sizeof *perm)))
        return tka_sampler_nomem(err, "RandomSampler", n);
    /* Each pass calls np.random.choice(np.arange(n), ns, replace) on the same
     * global state: without replacement that is permutation(n)[:ns], with it
     * the legacy randint, i.e. random_interval(n - 1) per element. */
    for (int64_t e = 0; e <= epoch; e++) {
        if (replacement) {
            for (int64_t i = 0; i < ns; i++) {
                int64_t v = (int64_t)tka_numpy_random_interval(&g, (uint64_t)(n - 1));
                if (e == epoch)
                    out[i] = v;
            }
        } else {
            tka_numpy_permutation(&g, n, perm);
            if (e == epoch)
                memcpy(out, perm, (size_t)ns * sizeof *out);
        }
    }
    free(perm);
    return TKA_OK;
}

int64_t tka_paddle_distributed_num_samples(int64_t n, int64_t num_replicas)
{
    if (num_replicas <= 0 || n <= 0)
        return 0;
    return n / num_replicas + (n % num_replicas != 0);
}

tka_status tka_paddle_distributed_indices(const tka_paddle_distributed_batch_sampler *cfg,
                                          int64_t *out, tka_error *err)
{
    int64_t n = cfg->n, b = cfg->batch_size, w = cfg->num_replicas, rank = cfg->rank;
    if (b < 1)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "batch_size should be a positive integer, but got %lld "
                             "(Paddle DistributedBatchSampler asserts)",
                             (long long)b);
    if (w < 1 || rank < 0 || rank >= w)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "rank %lld is not in [0, nranks) with nranks=%lld "
                             "(Paddle DistributedBatchSampler asserts)",
                             (long long)rank, (long long)w);
    if (n < 0)
        return tka_sampler_negative(err, "DistributedBatchSampler", "length");
    int64_t num_samples = tka_paddle_distributed_num_samples(n, w);
    int64_t total = num_samples * w;
    if (total == 0)
        return TKA_OK;
    int64_t *idx = malloc((size_t)total * sizeof *idx);
    if (!idx)
        return tka_sampler_nomem(err, "DistributedBatchSampler", total);
    /* Pad by repeating from the start, BEFORE shuffling (torch pads after). */
    for (int64_t i = 0; i < total; i++)
        idx[i] = i % n;
    if (cfg->shuffle) {
        /* COMPAT: Paddle shuffles with RandomState(epoch) — the seed is the
         * epoch — and then increments its epoch itself, so a second pass over
         * an unchanged sampler uses RandomState(epoch + 1). */
        tka_mt19937 g;
        tka_status st = tka_numpy_seed(&g, cfg->epoch, err);
        if (st != TKA_OK) {
            free(idx);
            return st;
        }
        tka_numpy_shuffle(&g, idx, (size_t)total);
    }
    if (w == 1) {
        memcpy(out, idx, (size_t)total * sizeof *out);
        free(idx);
        return TKA_OK;
    }
    /* Batch-interleaved subsampling: rank r takes every W-th block of B, then
     * its share of the tail that does not fill B * W. */
    int64_t last = total % (b * w), last_local = last / w, k = 0;
    for (int64_t i = rank * b; i < total - last; i += b * w)
        for (int64_t j = i; j < i + b; j++) /* never past total - last */
            out[k++] = idx[j];
    const int64_t *tail = idx + (total - last);
    for (int64_t j = rank * last_local; j < (rank + 1) * last_local; j++)
        out[k++] = tail[j];
    free(idx);
    if (k != num_samples)
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "DistributedBatchSampler: internal count mismatch (%lld != %lld)",
                             (long long)k, (long long)num_samples);
    return TKA_OK;
}
