/* Index orders of torch, numpy and Paddle samplers, reproduced bit-exactly
 * (MT19937, torch randperm / RandomSampler / DistributedSampler, numpy legacy
 * shuffle, Paddle BatchSampler / DistributedBatchSampler) and batching.
 *
 * Every function fills caller-provided int64 arrays; nothing here allocates
 * except tka_sampler_batches(), whose result is freed with tka_batches_free(). */
#ifndef TOKALIGN_SAMPLER_H
#define TOKALIGN_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokalign/status.h"
#include "tokalign/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ MT19937 */

#define TKA_MT19937_N 624

/* The engine shared by torch's CPU generator and numpy's legacy RandomState.
 * A plain struct so callers can keep it on the stack.
 * Ownership and threads: the caller's; one thread at a time. */
typedef struct tka_mt19937 {
    uint32_t mt[TKA_MT19937_N];
    uint32_t index; /* next word to temper; TKA_MT19937_N means "twist first" */
} tka_mt19937;

/* init_genrand(seed). */
TKA_API void tka_mt19937_seed(tka_mt19937 *g, uint32_t seed);
/* init_by_array(key) (numpy array seeds, Python's random.seed). key_len >= 1. */
TKA_API void tka_mt19937_seed_by_array(tka_mt19937 *g, const uint32_t *key, size_t key_len);
/* One tempered 32-bit output. */
TKA_API uint32_t tka_mt19937_next32(tka_mt19937 *g);
/* Two outputs, the FIRST one as the high half (torch random64, numpy next_uint64). */
TKA_API uint64_t tka_mt19937_next64(tka_mt19937 *g);

/* -------------------------------------------------------------------- torch */

/* Which torch randperm a caller reproduces. They differ only for
 * n >= TKA_TORCH_RANDPERM_INSIDE_OUT_MIN (see randperm below). */
typedef enum tka_torch_version {
    TKA_TORCH_2 = 0,   /* current PyTorch (2.x): the default */
    TKA_TORCH_1_13 = 1 /* torch 1.13 (Debian 12's python3-torch, the goldens' reference) */
} tka_torch_version;

/* 0xffffffff / 20: from here on torch 2.x uses the inside-out shuffle. */
#define TKA_TORCH_RANDPERM_INSIDE_OUT_MIN INT64_C(214748364)
/* The seed of a fresh torch.Generator() that was never manual_seed'ed. */
#define TKA_TORCH_DEFAULT_GENERATOR_SEED UINT64_C(67280421310721)

/* torch.Generator().manual_seed(seed) / torch.manual_seed(seed): the engine
 * keeps only the low 32 bits of the 64-bit seed. */
TKA_API void tka_torch_manual_seed(tka_mt19937 *g, uint64_t seed);
/* torch.empty((), dtype=torch.int64).random_(generator=g): next64 mod 2^63. */
TKA_API int64_t tka_torch_random_int64(tka_mt19937 *g);
/* torch.randint(high, (1,), generator=g) on CPU, high >= 1. */
TKA_API int64_t tka_torch_randint(tka_mt19937 *g, int64_t high);
/* torch.randperm(n, generator=g) on CPU into out[0..n). n >= 0. */
TKA_API void tka_torch_randperm(tka_mt19937 *g, int64_t n, tka_torch_version version, int64_t *out);

/* torch.utils.data.RandomSampler(data_source of length n, replacement,
 * num_samples, generator). */
typedef struct tka_torch_random_sampler {
    int64_t n;
    int64_t num_samples; /* 0: n (the default) */
    bool replacement;
    bool has_generator; /* RandomSampler(generator=g) after g.manual_seed(generator_seed) */
    uint64_t generator_seed;
    uint64_t global_seed;    /* torch.manual_seed(global_seed); used when !has_generator */
    bool through_dataloader; /* iterated by a DataLoader, which draws its base seed first */
    int64_t epoch;           /* 0-based pass over the same sampler (nothing else drawing) */
    tka_torch_version version;
} tka_torch_random_sampler;

/* Effective number of indices (num_samples, or n). */
TKA_API int64_t tka_torch_random_sampler_length(const tka_torch_random_sampler *cfg);
/* Writes the indices of pass `epoch` to out[0..length). *drawn_seed (may be
 * NULL) receives the seed the sampler drew from the global generator (0 when a
 * generator was given). */
TKA_API tka_status tka_torch_random_sampler_order(const tka_torch_random_sampler *cfg, int64_t *out,
                                                  uint64_t *drawn_seed, tka_error *err);

/* torch.utils.data.distributed.DistributedSampler + set_epoch(epoch). */
typedef struct tka_torch_distributed_sampler {
    int64_t n;
    int64_t num_replicas;
    int64_t rank;
    bool shuffle;   /* default true */
    uint64_t seed;  /* default 0 */
    int64_t epoch;  /* default 0; never advances by itself */
    bool drop_last; /* the sampler's own drop_last (shard trimming) */
    tka_torch_version version;
} tka_torch_distributed_sampler;

/* num_samples per rank (len(sampler)). */
TKA_API int64_t tka_torch_distributed_num_samples(int64_t n, int64_t num_replicas, bool drop_last);
/* Writes this rank's num_samples indices to out. */
TKA_API tka_status tka_torch_distributed_indices(const tka_torch_distributed_sampler *cfg,
                                                 int64_t *out, tka_error *err);

/* -------------------------------------------------------------------- numpy */

/* numpy.random.RandomState(seed) / np.random.seed(seed) for an int seed;
 * ValueError (TKA_ERR_REFERENCE) outside [0, 2^32 - 1]. */
TKA_API tka_status tka_numpy_seed(tka_mt19937 *g, int64_t seed, tka_error *err);
/* Legacy bounded integer in [0, max] (masked rejection sampling). */
TKA_API uint64_t tka_numpy_random_interval(tka_mt19937 *g, uint64_t max);
/* RandomState.shuffle on a 1-D array or list. */
TKA_API void tka_numpy_shuffle(tka_mt19937 *g, int64_t *values, size_t n);
/* RandomState.permutation(n). */
TKA_API void tka_numpy_permutation(tka_mt19937 *g, int64_t n, int64_t *out);

/* ------------------------------------------------------------------- Paddle */

/* paddle.io.RandomSampler without generator (and BatchSampler(shuffle=True),
 * DataLoader(shuffle=True)): np.random.choice on the numpy global state after
 * np.random.seed(numpy_seed). `epoch` passes over the same sampler share that
 * state. num_samples 0 means n. Writes num_samples indices. */
TKA_API tka_status tka_paddle_random_sampler_order(int64_t n, int64_t numpy_seed,
                                                   int64_t num_samples, bool replacement,
                                                   int64_t epoch, int64_t *out, tka_error *err);

/* paddle.io.DistributedBatchSampler. */
typedef struct tka_paddle_distributed_batch_sampler {
    int64_t n;
    int64_t batch_size;
    int64_t num_replicas;
    int64_t rank;
    bool shuffle;   /* default false */
    bool drop_last; /* drops the short final batch only */
    int64_t
        epoch; /* the sampler's epoch when the pass starts (auto-increments per shuffled pass) */
} tka_paddle_distributed_batch_sampler;

/* ceil(n / num_replicas): indices per rank, before batching. */
TKA_API int64_t tka_paddle_distributed_num_samples(int64_t n, int64_t num_replicas);
/* Writes this rank's num_samples indices (in batch order) to out. */
TKA_API tka_status tka_paddle_distributed_indices(const tka_paddle_distributed_batch_sampler *cfg,
                                                  int64_t *out, tka_error *err);

/* ----------------------------------------------------------------- batching */

/* Number of batches BatchSampler yields: n / B with drop_last, else ceil(n / B). */
TKA_API size_t tka_batch_count(size_t n, size_t batch_size, bool drop_last);

/* ------------------------------------------------------ one call per sampler */

typedef enum tka_sampler_kind {
    TKA_SAMPLER_SEQUENTIAL = 0, /* SequentialSampler / SequenceSampler */
    TKA_SAMPLER_RANDOM, /* torch RandomSampler / Paddle RandomSampler, BatchSampler(shuffle=True) */
    TKA_SAMPLER_DISTRIBUTED /* torch DistributedSampler / Paddle DistributedBatchSampler */
} tka_sampler_kind;

/* Everything that decides the batches of one epoch. Start from
 * tka_sampler_spec_init() and set what the reference call sets (fields by
 * name: their order is not part of the API; the flags come last to keep the
 * struct small). */
typedef struct tka_sampler_spec {
    tka_sampler_kind kind;
    tka_flavor flavor;
    int64_t n;          /* dataset length */
    int64_t batch_size; /* >= 1 */
    /* random: torch.manual_seed / np.random.seed value (required, since both
     * frameworks seed their global generator from the OS otherwise);
     * torch distributed: DistributedSampler(seed=). Read when has_seed. */
    int64_t seed;
    /* torch random: RandomSampler(generator=g), g.manual_seed(generator_seed).
     * Read when has_generator_seed. */
    uint64_t generator_seed;
    int64_t num_samples;  /* random: 0 = n */
    int64_t num_replicas; /* distributed (default 1) */
    int64_t rank;         /* distributed (default 0) */
    int64_t epoch;        /* pass number / set_epoch value (default 0) */
    tka_torch_version torch_version;
    bool drop_last; /* the batch-level drop_last (DataLoader / BatchSampler) */
    bool has_seed;
    bool has_generator_seed;
    bool through_dataloader; /* torch random: the DataLoader's base-seed draw (default true) */
    bool replacement;        /* random */
    bool shuffle;            /* distributed (torch default true, Paddle default false) */
    bool shard_drop_last;    /* torch distributed: DistributedSampler(drop_last=) */
} tka_sampler_spec;

/* Index batches: batch i is indices[i * batch_size ..] with length
 * min(batch_size, count - i * batch_size). */
/* Ownership and threads: the caller's, freed with tka_batches_free; one
 * thread at a time. */
typedef struct tka_batches {
    int64_t *indices;
    size_t count;
    size_t batch_size;
    size_t num_batches;
} tka_batches;

/* Defaults of the given flavor and kind (shuffle, num_replicas 1, epoch 0,
 * through_dataloader, batch_size 1, torch 2.x). */
TKA_API void tka_sampler_spec_init(tka_sampler_spec *spec, tka_flavor flavor,
                                   tka_sampler_kind kind);

/* Runs the sampler and batches its indices into *out (free it with
 * tka_batches_free).
 * Invalid combinations (missing seed, rank >= num_replicas, ...) are
 * TKA_ERR_ARGUMENT with the reference's error text where it raises. */
TKA_API tka_status tka_sampler_batches(const tka_sampler_spec *spec, tka_batches *out,
                                       tka_error *err);
TKA_API void tka_batches_free(tka_batches *batches);

/* The reference call the spec reproduces, as Python (for reports and JSON). */
TKA_API tka_status tka_sampler_describe(const tka_sampler_spec *spec, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
