/* Pieces of the samplers exposed to the unit tests (not public API). */
#ifndef TKA_DATASET_SAMPLER_INTERNAL_H
#define TKA_DATASET_SAMPLER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "tokalign/sampler.h"

/* The samplers' own argument and memory errors, one wording for all of them
 * (the references' errors keep their own texts): "SAMPLER: negative WHAT"
 * (TKA_ERR_ARGUMENT) and "SAMPLER: cannot allocate COUNT indices"
 * (TKA_ERR_NOMEM; no "SAMPLER: " when sampler is NULL). */
tka_status tka_sampler_negative(tka_error *err, const char *sampler, const char *what);
tka_status tka_sampler_nomem(tka_error *err, const char *sampler, int64_t count);

/* True when torch.randperm(n) of `version` takes the inside-out branch. */
bool tka_torch_randperm_is_inside_out(int64_t n, tka_torch_version version);

/* torch 2.x's inside-out shuffle for any n (tka_torch_randperm only takes it
 * for n >= TKA_TORCH_RANDPERM_INSIDE_OUT_MIN, too large for a unit test). */
void tka_torch_randperm_inside_out(tka_mt19937 *g, int64_t n, int64_t *out);

#endif
