/* The pipeline's options have one source of defaults and store the flavor
 * once: a run follows options.sampler.flavor everywhere (sampler, label
 * typing, collator, metadata). A second flavor field that silently overrode
 * the sampler's (as tka_pipeline_options.flavor did) fails these tests. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io.h"
#include "tokalign/pipeline.h"

static char dir[4096], tsv[4200], dump[4200], side[4200];

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tka_popt_XXXXXX", tmp && *tmp ? tmp : ".");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
    snprintf(tsv, sizeof tsv, "%s/ten.tsv", dir);
    snprintf(dump, sizeof dump, "%s/dump.npy", dir);
    snprintf(side, sizeof side, "%s/dump.json", dir);
    tka_buf b = {0};
    tka_buf_append_str(&b, "sentence\tlabel\n");
    for (int i = 0; i < 10; i++)
        tka_buf_printf(&b, "word %d\t%d\n", i, i % 2);
    cr_assert_eq(tka_write_file(tsv, b.data, b.len, NULL), TKA_OK);
    tka_buf_free(&b);
}

static void teardown(void)
{
    unlink(tsv);
    unlink(dump);
    unlink(side);
    rmdir(dir);
}

/* The batches a sampler of `flavor` gives 10 rows (random, seed 3, batch 4)
 * as the sidecar's JSON writes them: [[5,4,1,2],[9,6,7,0],[3,8]]. */
static void expected_batches(tka_flavor flavor, char *out, size_t size)
{
    tka_sampler_spec spec;
    tka_sampler_spec_init(&spec, flavor, TKA_SAMPLER_RANDOM);
    spec.n = 10;
    spec.batch_size = 4;
    spec.has_seed = true;
    spec.seed = 3;
    tka_batches b;
    tka_error err;
    cr_assert_eq(tka_sampler_batches(&spec, &b, &err), TKA_OK, "%s", err.message);
    size_t at = (size_t)snprintf(out, size, "\"batch_indices\":[");
    for (size_t k = 0; k < b.num_batches; k++) {
        at += (size_t)snprintf(out + at, size - at, "%s[", k ? "," : "");
        for (size_t i = k * b.batch_size; i < b.count && i < (k + 1) * b.batch_size; i++)
            at += (size_t)snprintf(out + at, size - at, "%s%lld", i > k * b.batch_size ? "," : "",
                                   (long long)b.indices[i]);
        at += (size_t)snprintf(out + at, size - at, "]");
    }
    snprintf(out + at, size - at, "]");
    tka_batches_free(&b);
}

static void run_with_sampler_flavor(tka_flavor init_flavor, tka_flavor sampler_flavor)
{
    tka_pipeline_options o;
    tka_pipeline_options_init(&o, init_flavor);
    /* What a caller does to pick a sampler: a spec of the flavor it wants. */
    tka_sampler_spec_init(&o.sampler, sampler_flavor, TKA_SAMPLER_RANDOM);
    o.sampler.has_seed = true;
    o.sampler.seed = 3;
    o.data_path = tsv;
    o.tokenizer = "bert-base-uncased";
    o.dump_path = dump;
    o.num_batches = 0;
    tka_error err;
    cr_assert_eq(tka_pipeline_run(&o, NULL, NULL, &err), TKA_OK, "%s", err.message);

    tka_buf meta = {0};
    cr_assert_eq(tka_read_file(side, 1 << 20, &meta, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(tka_buf_append_char(&meta, '\0'), TKA_OK);
    char want[512], other[512];
    expected_batches(sampler_flavor, want, sizeof want);
    expected_batches(sampler_flavor == TKA_FLAVOR_TORCH ? TKA_FLAVOR_PADDLE : TKA_FLAVOR_TORCH,
                     other, sizeof other);
    cr_assert_str_neq(want, other, "the two samplers must differ for this test to mean anything");
    cr_expect_not_null(strstr(meta.data, want), "expected %s in %s", want, meta.data);
    cr_expect_not_null(strstr(meta.data, sampler_flavor == TKA_FLAVOR_PADDLE
                                             ? "\"side\":\"paddle\""
                                             : "\"side\":\"torch\""),
                       "wrong side in %s", meta.data);
    tka_buf_free(&meta);
}

Test(pipeline_options, sampler_flavor_decides_the_run, .init = setup, .fini = teardown)
{
    run_with_sampler_flavor(TKA_FLAVOR_TORCH, TKA_FLAVOR_PADDLE);
    run_with_sampler_flavor(TKA_FLAVOR_PADDLE, TKA_FLAVOR_TORCH);
}

Test(pipeline_options, init_defaults)
{
    /* test_data.py's settings, stated once in tka_pipeline_options_init. */
    tka_pipeline_options o;
    tka_pipeline_options_init(&o, TKA_FLAVOR_PADDLE);
    cr_expect_eq(o.sampler.flavor, TKA_FLAVOR_PADDLE);
    cr_expect_eq(o.sampler.kind, TKA_SAMPLER_SEQUENTIAL);
    cr_expect_eq(o.batch_size, 4);
    cr_expect_eq(o.num_batches, 5);
    cr_expect_eq(o.max_length, TKA_PIPELINE_DEFAULT);
    cr_expect_eq(o.padding, TKA_PAD_NONE);
    cr_expect_eq(o.pad_id, -1);
    cr_expect_eq(o.threads, 1);
    cr_expect(o.write_sidecar);
    cr_expect_str_eq(o.dataset.text_field, "sentence");
    cr_expect_str_eq(o.dataset.label_field, "label");
}
