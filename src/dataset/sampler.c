/* One entry point per sampler spec: runs the torch / Paddle sampler for one epoch and batches it. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/sampler_internal.h"
#include "tokalign/sampler.h"

size_t tka_batch_count(size_t n, size_t batch_size, bool drop_last)
{
    if (batch_size == 0)
        return 0;
    return drop_last ? n / batch_size : n / batch_size + (n % batch_size != 0);
}

void tka_sampler_spec_init(tka_sampler_spec *spec, tka_flavor flavor, tka_sampler_kind kind)
{
    memset(spec, 0, sizeof *spec);
    spec->flavor = flavor;
    spec->kind = kind;
    spec->batch_size = 1;
    spec->through_dataloader = true;
    spec->num_replicas = 1;
    /* torch's DistributedSampler shuffles by default, Paddle's
     * DistributedBatchSampler does not. */
    spec->shuffle = flavor == TKA_FLAVOR_TORCH;
    spec->torch_version = TKA_TORCH_2;
}

void tka_batches_free(tka_batches *batches)
{
    if (!batches)
        return;
    free(batches->indices);
    memset(batches, 0, sizeof *batches);
}

/* Number of indices the sampler yields for one epoch, or -1 after setting err. */
static int64_t sampler_length(const tka_sampler_spec *s, tka_error *err)
{
    switch (s->kind) {
    case TKA_SAMPLER_SEQUENTIAL: return s->n;
    case TKA_SAMPLER_RANDOM: return s->num_samples > 0 ? s->num_samples : s->n;
    case TKA_SAMPLER_DISTRIBUTED:
        if (s->num_replicas < 1) {
            tka_error_set(err, TKA_ERR_ARGUMENT, "num_replicas must be >= 1, got %" PRId64,
                          s->num_replicas);
            return -1;
        }
        return s->flavor == TKA_FLAVOR_TORCH
                   ? tka_torch_distributed_num_samples(s->n, s->num_replicas, s->shard_drop_last)
                   : tka_paddle_distributed_num_samples(s->n, s->num_replicas);
    }
    tka_error_set(err, TKA_ERR_ARGUMENT, "unknown sampler kind %d", (int)s->kind);
    return -1;
}

static tka_status fill_indices(const tka_sampler_spec *s, int64_t *out, tka_error *err)
{
    switch (s->kind) {
    case TKA_SAMPLER_SEQUENTIAL:
        for (int64_t i = 0; i < s->n; i++)
            out[i] = i;
        return TKA_OK;
    case TKA_SAMPLER_RANDOM:
        if (s->flavor == TKA_FLAVOR_TORCH) {
            if (!s->has_seed && !s->has_generator_seed)
                return tka_error_set(err, TKA_ERR_ARGUMENT,
                                     "a torch RandomSampler needs a seed: torch seeds its global "
                                     "generator non-deterministically unless torch.manual_seed "
                                     "(--seed) is called or the sampler gets a seeded generator "
                                     "(--generator-seed)");
            tka_torch_random_sampler cfg = {
                .n = s->n,
                .num_samples = s->num_samples,
                .replacement = s->replacement,
                .has_generator = s->has_generator_seed,
                .generator_seed = s->generator_seed,
                .global_seed = (uint64_t)s->seed, /* negative seeds wrap mod 2^64 as in torch */
                .through_dataloader = s->through_dataloader,
                .epoch = s->epoch,
                .version = s->torch_version,
            };
            return tka_torch_random_sampler_order(&cfg, out, NULL, err);
        }
        if (!s->has_seed)
            return tka_error_set(err, TKA_ERR_ARGUMENT,
                                 "a Paddle random sampler needs a seed: it draws from numpy's "
                                 "global RandomState, seeded from the OS unless np.random.seed "
                                 "(--seed) is called");
        if (s->has_generator_seed)
            return tka_error_set(err, TKA_ERR_ARGUMENT,
                                 "--generator-seed applies to torch samplers only");
        return tka_paddle_random_sampler_order(s->n, s->seed, s->num_samples, s->replacement,
                                               s->epoch, out, err);
    case TKA_SAMPLER_DISTRIBUTED:
        if (s->flavor == TKA_FLAVOR_TORCH) {
            tka_torch_distributed_sampler cfg = {
                .n = s->n,
                .num_replicas = s->num_replicas,
                .rank = s->rank,
                .shuffle = s->shuffle,
                .seed = s->has_seed ? (uint64_t)s->seed : 0,
                .epoch = s->epoch,
                .drop_last = s->shard_drop_last,
                .version = s->torch_version,
            };
            return tka_torch_distributed_indices(&cfg, out, err);
        } else {
            if (s->has_seed)
                return tka_error_set(err, TKA_ERR_ARGUMENT,
                                     "Paddle's DistributedBatchSampler takes no seed: it shuffles "
                                     "with RandomState(epoch); use --epoch");
            tka_paddle_distributed_batch_sampler cfg = {
                .n = s->n,
                .batch_size = s->batch_size,
                .num_replicas = s->num_replicas,
                .rank = s->rank,
                .shuffle = s->shuffle,
                .drop_last = s->drop_last,
                .epoch = s->epoch,
            };
            return tka_paddle_distributed_indices(&cfg, out, err);
        }
    }
    return tka_error_set(err, TKA_ERR_ARGUMENT, "unknown sampler kind %d", (int)s->kind);
}

tka_status tka_sampler_batches(const tka_sampler_spec *spec, tka_batches *out, tka_error *err)
{
    memset(out, 0, sizeof *out);
    if (spec->n < 0)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "dataset length must be >= 0, got %" PRId64,
                             spec->n);
    if (spec->batch_size < 1)
        return tka_error_set(err, TKA_ERR_REFERENCE,
                             "batch_size should be a positive integer value, but got "
                             "batch_size=%" PRId64 " (BatchSampler raises ValueError)",
                             spec->batch_size);
    if (spec->epoch < 0)
        return tka_error_set(err, TKA_ERR_ARGUMENT, "epoch must be >= 0, got %" PRId64,
                             spec->epoch);
    if (spec->kind != TKA_SAMPLER_DISTRIBUTED && (spec->num_replicas != 1 || spec->rank != 0))
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "rank / world size apply to the distributed samplers only");
    if (spec->kind != TKA_SAMPLER_RANDOM &&
        (spec->has_generator_seed || spec->num_samples || spec->replacement))
        return tka_error_set(err, TKA_ERR_ARGUMENT,
                             "generator seed / num_samples / replacement apply to the random "
                             "samplers only");
    int64_t len = sampler_length(spec, err);
    if (len < 0)
        return err ? err->status : TKA_ERR_ARGUMENT;
    if ((uint64_t)len > SIZE_MAX / sizeof(int64_t) / 2)
        return tka_error_set(err, TKA_ERR_LIMIT, "%" PRId64 " indices do not fit in memory", len);
    int64_t *indices = malloc(((size_t)len ? (size_t)len : 1) * sizeof *indices);
    if (!indices)
        return tka_sampler_nomem(err, NULL, len);
    tka_status st = fill_indices(spec, indices, err);
    if (st != TKA_OK) {
        free(indices);
        return st;
    }
    out->indices = indices;
    out->batch_size = (size_t)spec->batch_size;
    out->num_batches = tka_batch_count((size_t)len, out->batch_size, spec->drop_last);
    /* drop_last removes the short tail batch. */
    out->count = spec->drop_last ? out->num_batches * out->batch_size : (size_t)len;
    return TKA_OK;
}

/* Appends printf output to buf at *pos, tracking truncation. */
static void put(char *buf, size_t size, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
    if (*pos >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
    va_end(ap);
    *pos += n > 0 ? (size_t)n : 0;
}

static const char *py_bool(bool b)
{
    return b ? "True" : "False";
}

tka_status tka_sampler_describe(const tka_sampler_spec *s, char *buf, size_t size)
{
    size_t pos = 0;
    if (size == 0)
        return TKA_ERR_LIMIT;
    buf[0] = '\0';
    int64_t b = s->batch_size;
    if (s->flavor == TKA_FLAVOR_TORCH) {
        switch (s->kind) {
        case TKA_SAMPLER_SEQUENTIAL:
            put(buf, size, &pos,
                "DataLoader(ds, batch_size=%" PRId64 ", shuffle=False, drop_last=%s)", b,
                py_bool(s->drop_last));
            break;
        case TKA_SAMPLER_RANDOM: {
            char gen[64] = "";
            if (s->has_generator_seed)
                snprintf(gen, sizeof gen, ", generator=g");
            if (s->has_generator_seed)
                put(buf, size, &pos, "g = torch.Generator(); g.manual_seed(%" PRIu64 "); ",
                    s->generator_seed);
            else
                put(buf, size, &pos, "torch.manual_seed(%" PRId64 "); ", s->seed);
            char extra[96] = "";
            if (s->replacement || s->num_samples)
                snprintf(extra, sizeof extra, ", replacement=%s, num_samples=%" PRId64,
                         py_bool(s->replacement), s->num_samples ? s->num_samples : s->n);
            if (s->through_dataloader)
                put(buf, size, &pos,
                    "DataLoader(ds, batch_size=%" PRId64 ", sampler=RandomSampler(ds%s%s), "
                    "drop_last=%s)",
                    b, extra, gen, py_bool(s->drop_last));
            else
                put(buf, size, &pos,
                    "BatchSampler(RandomSampler(ds%s%s), batch_size=%" PRId64 ", drop_last=%s)",
                    extra, gen, b, py_bool(s->drop_last));
            if (s->epoch)
                put(buf, size, &pos, "  # pass %" PRId64 " (0-based)", s->epoch);
            break;
        }
        case TKA_SAMPLER_DISTRIBUTED:
            put(buf, size, &pos,
                "s = DistributedSampler(ds, num_replicas=%" PRId64 ", rank=%" PRId64
                ", shuffle=%s, seed=%" PRId64 ", drop_last=%s); s.set_epoch(%" PRId64
                "); DataLoader(ds, batch_size=%" PRId64 ", sampler=s, drop_last=%s)",
                s->num_replicas, s->rank, py_bool(s->shuffle), s->has_seed ? s->seed : 0,
                py_bool(s->shard_drop_last), s->epoch, b, py_bool(s->drop_last));
            break;
        }
    } else {
        switch (s->kind) {
        case TKA_SAMPLER_SEQUENTIAL:
            put(buf, size, &pos,
                "BatchSampler(sampler=SequenceSampler(ds), batch_size=%" PRId64 ", drop_last=%s)",
                b, py_bool(s->drop_last));
            break;
        case TKA_SAMPLER_RANDOM:
            put(buf, size, &pos, "np.random.seed(%" PRId64 "); ", s->seed);
            if (s->replacement || s->num_samples)
                put(buf, size, &pos,
                    "BatchSampler(sampler=RandomSampler(ds, replacement=%s, num_samples=%" PRId64
                    "), batch_size=%" PRId64 ", drop_last=%s)",
                    py_bool(s->replacement), s->num_samples ? s->num_samples : s->n, b,
                    py_bool(s->drop_last));
            else
                put(buf, size, &pos,
                    "BatchSampler(dataset=ds, shuffle=True, batch_size=%" PRId64 ", drop_last=%s)",
                    b, py_bool(s->drop_last));
            if (s->epoch)
                put(buf, size, &pos, "  # pass %" PRId64 " (0-based)", s->epoch);
            break;
        case TKA_SAMPLER_DISTRIBUTED:
            put(buf, size, &pos,
                "s = DistributedBatchSampler(ds, batch_size=%" PRId64 ", num_replicas=%" PRId64
                ", rank=%" PRId64 ", shuffle=%s, drop_last=%s); s.set_epoch(%" PRId64 ")",
                b, s->num_replicas, s->rank, py_bool(s->shuffle), py_bool(s->drop_last), s->epoch);
            break;
        }
    }
    return pos < size ? TKA_OK : TKA_ERR_LIMIT;
}

tka_status tka_sampler_negative(tka_error *err, const char *sampler, const char *what)
{
    return tka_error_set(err, TKA_ERR_ARGUMENT, "%s: negative %s", sampler, what);
}

tka_status tka_sampler_nomem(tka_error *err, const char *sampler, int64_t count)
{
    return tka_error_set(err, TKA_ERR_NOMEM, "%s%scannot allocate %" PRId64 " indices",
                         sampler ? sampler : "", sampler ? ": " : "", count);
}
