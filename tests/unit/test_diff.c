/* Unit tests of diff/report: Python float repr (table printed by CPython
 * 3.11), numpy 1.x promotion and wrap-around, the report's sticky verdict
 * and method lists, the explanation of failing keys. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "tokalign/diff.h"
#include "tokalign/dump.h"

/* repr() of each value as printed by /usr/bin/python3 (CPython 3.11). */
static const struct {
    double v;
    const char *repr;
} pyfloat_table[] = {
    {0x0.0p+0, "0.0"},
    {-0x0.0p+0, "-0.0"},
    {0x1.0000000000000p+0, "1.0"},
    {-0x1.0000000000000p+0, "-1.0"},
    {0x1.999999999999ap-4, "0.1"},
    {0x1.999999999999ap-3, "0.2"},
    {0x1.3333333333333p-2, "0.3"},
    {0x1.5555555555555p-2, "0.3333333333333333"},
    {0x1.5555555555555p-1, "0.6666666666666666"},
    {0x1.1c37937e08000p+53, "1e+16"},
    {0x1.c6bf526340000p+49, "1000000000000000.0"},
    {0x1.a36e2eb1c432dp-14, "0.0001"},
    {0x1.4f8b588e368f1p-17, "1e-05"},
    {0x1.02c9dedbc309dp-13, "0.0001234"},
    {0x1.b69b4ba630f35p+56, "1.2345678901234568e+17"},
    {0x1.1c37937e07fffp+53, "9999999999999998.0"},
    {0x0.0000000000001p-1022, "5e-324"},
    {0x1.0000000000000p-1022, "2.2250738585072014e-308"},
    {0x1.fffffffffffffp+1023, "1.7976931348623157e+308"},
    {0x1.4000000000000p-22, "2.980232238769531e-07"},
    {0x1.1800000000000p-23, "1.30385160446167e-07"},
    {0x1.55e3ca0000000p-2, "0.33387675881385803"},
    {0x1.9a00000000000p-5, "0.050048828125"},
    {0x1.fe00000000000p+7, "255.0"},
    {0x1.0c6f7a0b5ed8dp-20, "1e-06"},
    {0x1.92a737110e454p-19, "3e-06"},
    {0x1.0000000000000p-1, "0.5"},
    {0x1.9000000000000p+6, "100.0"},
    {0x1.0f0cf064dd592p+73, "1e+22"},
    {0x1.52d02c7e14af6p+76, "1e+23"},
    {0x1.0000000000000p+53, "9007199254740992.0"},
    {0x1.0000000000001p+53, "9007199254740994.0"},
    {0x0.0000000000003p-1022, "1.5e-323"},
    {0x1.0000000000000p+63, "9.223372036854776e+18"},
    {0x1.81cd6c8b43958p+13, "12345.678"},
    {-0x1.01f31f46ed246p-13, "-0.000123"},
    {0x1.49da7e361ce4cp-33, "1.5e-10"},
    {0x1.fe185ca57c517p+78, "6.02214076e+23"},
    {NAN, "nan"},
    {INFINITY, "inf"},
    {-INFINITY, "-inf"},
    {0x1.0000000000000p-1022, "2.2250738585072014e-308"},
    {0x0.8000000000000p-1022, "1.1125369292536007e-308"},
    {0x1.0000000000000p+1023, "8.98846567431158e+307"},
    {0x1.3333333333334p-2, "0.30000000000000004"},
    {0x1.ddd4baa009303p+999, "1e+301"},
    {0x1.1666666666666p+2, "4.35"},
    {0x1.0000000000000p+53, "9007199254740992.0"},
    {0x1.ad7f29abcaf48p-24, "1e-07"},
    {0x1.0000000000001p+0, "1.0000000000000002"},
    {0x1.fffffffffffffp-1, "0.9999999999999999"},
    {0x1.0000000000000p-44, "5.684341886080802e-14"},
    {0x1.0000000000000p-20, "9.5367431640625e-07"},
    {0x1.0000000000000p+70, "1.1805916207174113e+21"},
    {0x0.0000000000010p-1022, "8e-323"},
};

Test(pyfloat, matches_python_repr)
{
    for (size_t i = 0; i < sizeof pyfloat_table / sizeof *pyfloat_table; i++) {
        char buf[TKA_PYFLOAT_MAX];
        size_t n = tka_pyfloat_repr(pyfloat_table[i].v, buf);
        cr_expect_str_eq(buf, pyfloat_table[i].repr, "value %a", pyfloat_table[i].v);
        cr_expect_eq(n, strlen(buf));
    }
}

Test(pyfloat, round_trips_float32_values)
{
    /* every float32 of a sweep widens to a double whose repr parses back */
    for (uint32_t bits = 0x00000001u; bits < 0x7f800000u; bits += 0x00012345u) {
        float f;
        memcpy(&f, &bits, sizeof f);
        char buf[TKA_PYFLOAT_MAX];
        tka_pyfloat_repr((double)f, buf);
        cr_assert_eq(strtod(buf, NULL), (double)f, "%s", buf);
    }
}

/* ------------------------------------------------------------ helpers */

static tka_dict *one(const char *key, tka_dtype dt, unsigned ndim, const int64_t *shape,
                     const void *data)
{
    tka_dict *d = tka_dict_new();
    tka_array a = {.dtype = dt, .ndim = ndim, .data = (void *)data};
    if (ndim)
        memcpy(a.shape, shape, ndim * sizeof *shape);
    tka_error err;
    cr_assert_eq(tka_dict_add(d, key, &a, &err), TKA_OK, "%s", err.message);
    return d;
}

static const char *report(tka_dict *a, tka_dict *b, const char *methods, double thr, bool *passed,
                          tka_buf *out)
{
    tka_diff *diff = NULL;
    tka_error err;
    cr_assert_eq(tka_diff_compare(a, b, &diff, NULL, &err), TKA_OK, "%s", err.message);
    tka_report_options o;
    tka_report_options_init(&o);
    cr_assert_eq(tka_report_parse_methods(methods, &o, &err), TKA_OK);
    o.threshold = thr;
    cr_assert_eq(tka_diff_report(diff, &o, out, passed, &err), TKA_OK);
    tka_diff_free(diff);
    return out->data;
}

Test(diff, int8_abs_wraps_like_numpy)
{
    /* abs(int8(-128) - 0) is -128 in numpy, so max/min/mean are negative
     * and the check passes, as reprod_log reports it */
    int8_t x[] = {-128, 5}, y[] = {0, 5};
    int64_t shape[] = {2};
    tka_dict *a = one("x", TKA_DTYPE_INT8, 1, shape, x), *b = one("x", TKA_DTYPE_INT8, 1, shape, y);
    tka_buf out = {0};
    bool passed;
    cr_assert_str_eq(report(a, b, "all", 1e-6, &passed, &out),
                     "x: \n\tmin diff: check passed: True, value: -128\n"
                     "\tmax diff: check passed: True, value: 0\n"
                     "\tmean diff: check passed: True, value: -64.0\ndiff check passed\n");
    cr_assert(passed);
    tka_buf_free(&out);
    tka_dict_free(a);
    tka_dict_free(b);
}

Test(diff, int64_wrap_in_the_fast_path)
{
    /* INT64_MAX - (-2) wraps to -(2**63 - 1); abs gives 2**63 - 1 */
    int64_t x[] = {INT64_MAX, INT64_MIN, 7}, y[] = {-2, 0, 7};
    int64_t shape[] = {3};
    tka_dict *a = one("x", TKA_DTYPE_INT64, 1, shape, x),
             *b = one("x", TKA_DTYPE_INT64, 1, shape, y);
    tka_diff *diff;
    tka_error err;
    cr_assert_eq(tka_diff_compare(a, b, &diff, NULL, &err), TKA_OK);
    const tka_key_diff *k = tka_diff_at(diff, 0);
    cr_assert_eq(k->stat[TKA_STAT_MAX].v.i, INT64_MAX);
    cr_assert_eq(k->stat[TKA_STAT_MIN].v.i, INT64_MIN);
    cr_assert_eq(k->n_differ, 2);
    cr_assert_eq(k->first_index[0], 0);
    tka_diff_free(diff);
    tka_dict_free(a);
    tka_dict_free(b);
}

Test(diff, zero_d_value_based_promotion)
{
    /* numpy 1.x: int64 0-d holding 5 against an int8 array computes in
     * int8, so 5 - (-128) wraps to -123 and abs gives 123 */
    int64_t five = 5;
    int8_t y[] = {-128};
    int64_t shape[] = {1};
    tka_dict *a = one("x", TKA_DTYPE_INT64, 0, NULL, &five),
             *b = one("x", TKA_DTYPE_INT8, 1, shape, y);
    tka_diff *diff;
    tka_error err;
    cr_assert_eq(tka_diff_compare(a, b, &diff, NULL, &err), TKA_OK);
    const tka_key_diff *k = tka_diff_at(diff, 0);
    cr_assert_eq(k->dtype, TKA_DTYPE_INT8);
    cr_assert_eq(k->stat[TKA_STAT_MAX].v.i, 123);
    tka_diff_free(diff);
    tka_dict_free(a);
    /* a 0-d int64 holding 300 does not fit int8: int16 */
    int64_t big = 300;
    a = one("x", TKA_DTYPE_INT64, 0, NULL, &big);
    cr_assert_eq(tka_diff_compare(a, b, &diff, NULL, &err), TKA_OK);
    cr_assert_eq(tka_diff_at(diff, 0)->dtype, TKA_DTYPE_INT16);
    cr_assert_eq(tka_diff_at(diff, 0)->stat[TKA_STAT_MAX].v.i, 428);
    tka_diff_free(diff);
    tka_dict_free(a);
    tka_dict_free(b);
}

Test(diff, promotion_table)
{
    struct {
        tka_dtype a, b, r;
    } cases[] = {
        {TKA_DTYPE_UINT64, TKA_DTYPE_INT64, TKA_DTYPE_FLOAT64},
        {TKA_DTYPE_UINT8, TKA_DTYPE_INT8, TKA_DTYPE_INT16},
        {TKA_DTYPE_UINT32, TKA_DTYPE_INT16, TKA_DTYPE_INT64},
        {TKA_DTYPE_INT16, TKA_DTYPE_FLOAT16, TKA_DTYPE_FLOAT32},
        {TKA_DTYPE_INT32, TKA_DTYPE_FLOAT32, TKA_DTYPE_FLOAT64},
        {TKA_DTYPE_UINT8, TKA_DTYPE_FLOAT16, TKA_DTYPE_FLOAT16},
        {TKA_DTYPE_BOOL, TKA_DTYPE_UINT16, TKA_DTYPE_UINT16},
        {TKA_DTYPE_FLOAT32, TKA_DTYPE_FLOAT64, TKA_DTYPE_FLOAT64},
        {TKA_DTYPE_INT64, TKA_DTYPE_INT32, TKA_DTYPE_INT64},
    };
    uint64_t zeros[2] = {0, 0};
    int64_t shape[] = {1};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tka_dict *a = one("k", cases[i].a, 1, shape, zeros),
                 *b = one("k", cases[i].b, 1, shape, zeros);
        tka_diff *diff;
        tka_error err;
        cr_assert_eq(tka_diff_compare(a, b, &diff, NULL, &err), TKA_OK);
        cr_expect_eq(tka_diff_at(diff, 0)->dtype, cases[i].r, "%s - %s", tka_dtype_name(cases[i].a),
                     tka_dtype_name(cases[i].b));
        tka_diff_free(diff);
        tka_dict_free(a);
        tka_dict_free(b);
    }
}

Test(diff, reference_exceptions)
{
    uint8_t t[] = {1, 0, 1};
    int64_t s3[] = {3}, s2[] = {2};
    tka_dict *a = one("m", TKA_DTYPE_BOOL, 1, s3, t), *b = one("m", TKA_DTYPE_BOOL, 1, s2, t);
    tka_diff *diff = (tka_diff *)1;
    tka_error err;
    /* type resolution comes before broadcasting, as in numpy's ufunc */
    cr_assert_eq(tka_diff_compare(a, b, &diff, NULL, &err), TKA_ERR_REFERENCE);
    cr_assert_null(diff);
    cr_assert(strncmp(err.message, "TypeError: numpy boolean subtract", 33) == 0);
    tka_dict_free(b);
    b = one("m", TKA_DTYPE_INT64, 1, s2, (int64_t[]){1, 2});
    cr_assert_eq(tka_diff_compare(a, b, &diff, NULL, &err), TKA_ERR_REFERENCE);
    cr_assert_str_eq(err.message,
                     "ValueError: operands could not be broadcast together with shapes (3,) (2,) ");
    tka_dict_free(b);
    b = one("other", TKA_DTYPE_BOOL, 1, s3, t);
    cr_assert_eq(tka_diff_compare(a, b, &diff, NULL, &err), TKA_ERR_REFERENCE);
    cr_assert_str_eq(err.message, "AssertionError: k in data1 but not found in data2");
    tka_dict_free(a);
    tka_dict_free(b);
}

Test(report, methods_and_sticky_verdict)
{
    tka_report_options o;
    tka_error err;
    tka_report_options_init(&o);
    cr_assert_eq(o.n_methods, 1);
    cr_assert_eq(o.methods[0], TKA_STAT_MEAN);
    cr_assert_eq(o.threshold, 1e-6);
    cr_assert_eq(tka_report_parse_methods("max,mean,max", &o, &err), TKA_OK);
    cr_assert_eq(o.n_methods, 3);
    cr_assert_eq(tka_report_parse_methods("median", &o, &err), TKA_ERR_ARGUMENT);
    cr_assert_eq(tka_report_parse_methods("mean,all", &o, &err), TKA_ERR_ARGUMENT);
    cr_assert_eq(tka_report_parse_methods("", &o, &err), TKA_ERR_ARGUMENT);
    double x[] = {0, 0, 3e-6}, y[] = {0, 0, 0};
    int64_t shape[] = {3};
    tka_dict *a = one("x", TKA_DTYPE_FLOAT64, 1, shape, x),
             *b = one("x", TKA_DTYPE_FLOAT64, 1, shape, y);
    tka_buf out = {0};
    bool passed = true;
    /* max fails, so the following min prints False although 0.0 passes */
    cr_assert_str_eq(report(a, b, "max,min", 1e-6, &passed, &out),
                     "x: \n\tmax diff: check passed: False, value: 3e-06\n"
                     "\tmin diff: check passed: False, value: 0.0\ndiff check failed\n");
    cr_assert(!passed);
    tka_buf_free(&out);
    tka_dict_free(a);
    tka_dict_free(b);
}

Test(report, prefix_format)
{
    char buf[64];
    size_t n = tka_report_prefix(0, buf);
    cr_assert_eq(n, strlen("[1970/01/01 00:00:00] root INFO: "));
    cr_assert(buf[0] == '[' && buf[5] == '/' && buf[8] == '/' && buf[11] == ' ' && buf[14] == ':');
    cr_assert_str_eq(buf + 21, " root INFO: ");
}

static const char *fake_vocab(void *ctx, int64_t id, size_t *len)
{
    static const char *words[] = {"[PAD]", "[CLS]", "[SEP]", "the", "cat", "dog", "sat"};
    (void)ctx;
    if (id < 0 || id >= 7)
        return NULL;
    *len = strlen(words[id]);
    return words[id];
}

static char *explain_one(tka_dict *a, tka_dict *b, const char *meta, tka_explanation **ex)
{
    tka_error err;
    tka_explain_options o = {meta, meta, fake_vocab, NULL, 0, NULL, NULL, NULL};
    cr_assert_eq(tka_diff_explain_all(a, b, NULL, &o, ex, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(tka_explanation_count(*ex), 1);
    tka_buf out = {0};
    cr_assert_eq(tka_key_explanation_format(tka_explanation_at(*ex, 0), 0, &out), TKA_OK);
    return out.data;
}

Test(explain, first_difference_tokens_and_source_row)
{
    int64_t x[] = {1, 3, 4, 2, 1, 3, 6, 2}, y[] = {1, 3, 4, 2, 1, 3, 5, 9};
    int64_t shape[] = {2, 4};
    tka_dict *a = one("dataloader_1_input_ids", TKA_DTYPE_INT64, 2, shape, x);
    tka_dict *b = one("dataloader_1_input_ids", TKA_DTYPE_INT64, 2, shape, y);
    tka_explanation *ex;
    char *text =
        explain_one(a, b, "{\"source_tsv\":\"demo.tsv\",\"batch_indices\":[[0,1],[7,3]]}", &ex);
    cr_assert_str_eq(
        text,
        "dataloader_1_input_ids: 2 of 8 elements differ; first at [1, 2]: 6 (first) vs 5 (second)\n"
        "dataloader_1_input_ids: row 1 tokens, first: [CLS] the >>sat<< [SEP]\n"
        "dataloader_1_input_ids: row 1 tokens, second: [CLS] the >>dog<< <id 9?>\n"
        "dataloader_1_input_ids: batch row 1 comes from dataset row 3 of demo.tsv on both sides\n"
        "dataloader_1_input_ids: likely cause: the same row tokenized differently: vocabulary, "
        "casing (do_lower_case) or normalization\n");
    const tka_key_explanation *k = tka_explanation_at(ex, 0);
    cr_assert(!k->passed && k->compared && k->has_first);
    cr_assert_eq(k->cause, TKA_CAUSE_TOKENIZATION);
    cr_assert_eq(k->a.row, 3);
    cr_assert_eq(k->a.batch_row, 1);
    cr_assert_eq(k->a.n_ids, 4);
    cr_assert_str_eq(k->b.tokens[2], "dog");
    cr_assert_null(k->b.tokens[3]);
    free(text);
    tka_explanation_free(ex);
    tka_dict_free(a);
    tka_dict_free(b);
}

/* Where reprod_log raises (shapes do not broadcast), each key is still
 * explained: a shorter row that ends like the longer one is truncation. */
Test(explain, shape_mismatch_truncation_and_padding)
{
    int64_t x[] = {1, 3, 4, 5, 6, 2}, y[] = {1, 3, 4, 2};
    int64_t sx[] = {6}, sy[] = {4};
    tka_dict *a = one("dataset_0_input_ids", TKA_DTYPE_INT64, 1, sx, x);
    tka_dict *b = one("dataset_0_input_ids", TKA_DTYPE_INT64, 1, sy, y);
    tka_explanation *ex;
    char *text = explain_one(a, b, NULL, &ex);
    const tka_key_explanation *k = tka_explanation_at(ex, 0);
    cr_assert(!k->passed && !k->compared);
    cr_assert_str_eq(k->error,
                     "ValueError: operands could not be broadcast together with shapes (6,) (4,) ");
    cr_assert_eq(k->cause, TKA_CAUSE_TRUNCATION);
    cr_assert_eq(k->first_index[0], 3);
    cr_assert(k->a.has_value && k->b.has_value);
    cr_assert_eq(k->a.content_len, 6);
    cr_assert_eq(k->b.content_len, 4);
    cr_assert(
        strstr(
            text,
            "dataset_0_input_ids: shapes (6,) (first) and (4,) (second); first difference at [3]: "
            "5 (first) vs 2 (second)\n"),
        "%s", text);
    free(text);
    tka_explanation_free(ex);
    tka_dict_free(b);
    /* the same tokens with two more pads: padding, first position one side lacks */
    int64_t z[] = {1, 3, 4, 5, 6, 2, 0, 0}, sz[] = {8};
    b = one("dataset_0_input_ids", TKA_DTYPE_INT64, 1, sz, z);
    text = explain_one(a, b, NULL, &ex);
    k = tka_explanation_at(ex, 0);
    cr_assert_eq(k->cause, TKA_CAUSE_PADDING);
    cr_assert_eq(k->first_index[0], 6);
    cr_assert(!k->a.has_value && k->b.has_value);
    free(text);
    tka_explanation_free(ex);
    tka_dict_free(a);
    tka_dict_free(b);
}

/* Different dataset rows behind the same position: another order. */
Test(explain, other_row_and_missing_key)
{
    int64_t x[] = {1, 0}, y[] = {0, 1}, shape[] = {2};
    tka_dict *a = one("dataloader_0_labels", TKA_DTYPE_INT64, 1, shape, x);
    tka_dict *b = one("dataloader_0_labels", TKA_DTYPE_INT64, 1, shape, y);
    int64_t extra[] = {7};
    tka_error err;
    tka_array e = {.dtype = TKA_DTYPE_INT64, .ndim = 1, .shape = {1}, .data = extra};
    cr_assert_eq(tka_dict_add(b, "length", &e, &err), TKA_OK);
    tka_explanation *ex;
    const char *ma = "{\"batch_indices\":[[0,1]],\"sampler\":\"S1\"}";
    const char *mb = "{\"batch_indices\":[[5,2]],\"sampler\":\"S2\"}";
    tka_explain_options o = {ma, mb, NULL, NULL, 0, NULL, NULL, NULL};
    cr_assert_eq(tka_diff_explain_all(a, b, NULL, &o, &ex, &err), TKA_OK);
    cr_assert_eq(tka_explanation_count(ex), 2);
    cr_assert(!tka_explanation_passed(ex));
    const tka_key_explanation *k = tka_explanation_at(ex, 0);
    cr_assert_eq(k->cause, TKA_CAUSE_OTHER_ROW);
    cr_assert_eq(k->a.row, 0);
    cr_assert_eq(k->b.row, 5);
    cr_assert(strstr(k->explanation, "S1 (first) vs S2 (second)"), "%s", k->explanation);
    k = tka_explanation_at(ex, 1);
    cr_assert_str_eq(k->key, "length");
    cr_assert(!k->a.present && k->b.present);
    cr_assert_eq(k->cause, TKA_CAUSE_MISSING);
    cr_assert_str_eq(tka_diff_cause_name(k->cause), "missing");
    tka_explanation_free(ex);
    tka_dict_free(a);
    tka_dict_free(b);
}
