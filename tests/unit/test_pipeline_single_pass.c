/* The pipeline with a sequential sampler reads the TSV once and decides the
 * row count, the label type, the logged rows and the refused rows at the end
 * of the pass. Here it is run against the same pipeline forced to read the
 * TSV twice (tka_pipeline_options.two_pass, the reading every other sampler
 * uses): same status, same error message, same warnings, same counts and the
 * same dump bytes, on generated tricky files and on files where the end of
 * the pass changes the outcome (a numeric-only sentence column, a label
 * column that turns float at row 50000, a dataset item beyond the last row,
 * a tokenizer error in an earlier chunk than a refused row, ...). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io.h"
#include "pipeline/pipeline_internal.h"
#include "tokalign/pipeline.h"
#include "tsv_cases.h"

static char dir[4096];

static void make_dir(void)
{
    if (dir[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tka_pipe1_XXXXXX", tmp && *tmp ? tmp : ".");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
}

static void remove_dir(void)
{
    const char *names[] = {"case.tsv", "dump.json"};
    char path[4200];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    dir[0] = '\0';
}

/* One run's observable result. */
typedef struct outcome {
    tka_status st;
    tka_error err;
    tka_buf warnings;
    tka_pipeline_result result;
    tka_buf dump;
} outcome;

static void outcome_free(outcome *o)
{
    tka_buf_free(&o->warnings);
    tka_buf_free(&o->dump);
}

static void run_pipeline(const tka_pipeline_options *base, bool two_pass, outcome *out)
{
    char dump[4200]; /* one name: the dump holds its own file name */
    snprintf(dump, sizeof dump, "%s/dump.json", dir);
    unlink(dump);
    tka_pipeline_options o = *base;
    o.two_pass = two_pass;
    o.dump_path = dump;
    memset(out, 0, sizeof *out);
    tka_error_clear(&out->err);
    out->st = tka_pipeline_run(&o, &out->result, &out->warnings, &out->err);
    if (out->st == TKA_OK) {
        cr_assert_eq(tka_read_file(dump, 0, &out->dump, NULL), TKA_OK);
        unlink(dump);
    } else
        cr_assert(access(dump, F_OK) != 0, "a failed run left %s", dump);
}

static size_t runs, failures_seen;

/* Runs both readings and compares them; returns the single pass's outcome
 * in *keep (when not NULL) for checks of the expected behaviour. */
static bool same_both_ways(const char *name, const tka_pipeline_options *o, outcome *keep)
{
    outcome one, two;
    run_pipeline(o, false, &one);
    run_pipeline(o, true, &two);
    runs++;
    failures_seen += two.st != TKA_OK;
    bool ok = one.st == two.st && strcmp(one.err.message, two.err.message) == 0;
    if (!ok)
        cr_log_error("%s: single pass %d '%s'\n  two passes %d '%s'", name, (int)one.st,
                     one.err.message, (int)two.st, two.err.message);
    const char *w1 = one.warnings.data ? one.warnings.data : "";
    const char *w2 = two.warnings.data ? two.warnings.data : "";
    if (ok && strcmp(w1, w2) != 0) {
        cr_log_error("%s: warnings differ:\n  single pass: %s\n  two passes: %s", name, w1, w2);
        ok = false;
    }
    if (ok && two.st == TKA_OK) {
        const tka_pipeline_result *a = &one.result, *b = &two.result;
        if (a->rows != b->rows || a->rows_encoded != b->rows_encoded || a->tokens != b->tokens ||
            a->batches != b->batches || a->batches_logged != b->batches_logged ||
            a->keys != b->keys || a->bytes != b->bytes) {
            cr_log_error("%s: counts differ: rows %" PRIu64 "/%" PRIu64 " tokens %" PRIu64
                         "/%" PRIu64 " batches %zu/%zu logged %zu/%zu keys %zu/%zu",
                         name, a->rows, b->rows, a->tokens, b->tokens, a->batches, b->batches,
                         a->batches_logged, b->batches_logged, a->keys, b->keys);
            ok = false;
        }
        if (ok &&
            (one.dump.len != two.dump.len || memcmp(one.dump.data, two.dump.data, one.dump.len))) {
            cr_log_error("%s: the dumps differ (%zu and %zu bytes)", name, one.dump.len,
                         two.dump.len);
            ok = false;
        }
    }
    if (keep)
        *keep = one;
    else
        outcome_free(&one);
    outcome_free(&two);
    return ok;
}

static void write_case(const void *data, size_t len, char *path, size_t size)
{
    make_dir();
    snprintf(path, size, "%s/case.tsv", dir);
    cr_assert_eq(tka_write_file(path, data, len, NULL), TKA_OK);
}

static void options(tka_pipeline_options *o, const char *tsv, tka_flavor flavor, bool spm)
{
    tka_pipeline_options_init(o, flavor);
    o->data_path = tsv;
    o->tokenizer = spm ? "bpe320_republic" : "bert-base-uncased";
    if (spm)
        o->pad_id = 2; /* Reformer has no pad token: the goldens pad with eos */
    o->write_sidecar = false;
}

/* A file the pipeline mostly reads through: words, with now and then a
 * number, an NA string, a quote or a CR LF; labels in every form pandas
 * reads as a number (and a few it does not). */
static void clean_case(uint64_t *st, tka_buf *b)
{
    static const char *const words[] = {"a",
                                        "good",
                                        "film",
                                        "bad",
                                        "\xc3\xa9t\xc3\xa9",
                                        "\"quoted\"",
                                        "it's",
                                        "x y",
                                        "\xe4\xb8\xad\xe6\x96\x87"};
    static const char *const odd[] = {
        "", "NA", "null", "12", "1.5", "True", "-3", "1e3", "18446744073709551615", "nan", " 7"};
    static const char *const labels[] = {"0",     "1",  "1",   "0",   " 1",
                                         "+1",    "01", "1.0", "2",   "True",
                                         "false", "",   "neg", "1e3", "-9223372036854775808"};
    b->len = 0;
    tka_buf_append_str(b, "sentence\tlabel\tsentence2\n");
    bool numeric_labels = pick(st, 4) != 0; /* else any label form */
    for (size_t rows = 1 + pick(st, 40); rows; rows--) {
        for (int f = 0; f < 3; f++) {
            if (f)
                tka_buf_append_char(b, '\t');
            if (f == 1) {
                tka_buf_append_str(b, numeric_labels
                                          ? labels[pick(st, 2)]
                                          : labels[pick(st, sizeof labels / sizeof *labels)]);
            } else if (pick(st, 100) == 0) {
                tka_buf_append_str(b, odd[pick(st, sizeof odd / sizeof *odd)]);
            } else {
                for (size_t w = 1 + pick(st, 4); w; w--)
                    tka_buf_printf(b, "%s%s", words[pick(st, sizeof words / sizeof *words)],
                                   w > 1 ? " " : "");
            }
        }
        tka_buf_append_str(b, pick(st, 10) ? "\n" : "\r\n");
    }
}

/* Four option sets per file, drawn from flavours, tokenizers, column
 * selections, modes, batch sizes, logged batches and items. */
static size_t compare_drawn_options(uint64_t *state, const char *tsv, const char *what, size_t i)
{
    static const int64_t items[] = {0, 3, 7};
    size_t failed = 0;
    for (int k = 0; k < 4; k++) {
        tka_pipeline_options o;
        options(&o, tsv, pick(state, 2) ? TKA_FLAVOR_PADDLE : TKA_FLAVOR_TORCH,
                pick(state, 4) != 0);
        size_t sel = pick(state, 20);
        if (sel < 7) {
            o.dataset.text_field = "#0";
            o.dataset.label_field = "#1";
        } else if (sel < 12) {
            o.dataset.text_field = "#0";
            o.dataset.pair_field = "#2";
            o.dataset.label_field = "#1";
        } else if (sel < 15) {
            o.dataset.text_field = "#0";
            o.dataset.label_field = NULL;
            o.fields[0] = "input_ids";
            o.fields[1] = "attention_mask";
        } else if (sel < 17) {
            o.dataset.text_field = "#1";
            o.dataset.pair_field = "#0";
            o.dataset.label_field = "#2";
        } /* else sentence / label */
        if (pick(state, 6) == 0)
            o.dataset.tsv.mode = TKA_TSV_GLUE;
        if (pick(state, 6) == 0)
            o.dataset.tsv.utf8_errors = TKA_UTF8_REPLACE;
        o.batch_size = 1 + (int64_t)pick(state, 3);
        o.num_batches = (int64_t)pick(state, 3); /* 0: every batch */
        if (pick(state, 3) == 0) {
            o.dataset_items = items;
            o.num_dataset_items = 3;
        }
        if (pick(state, 12) == 0) {
            /* BertTokenizerFast refuses every row: fewer than the special tokens */
            o.tokenizer = "bert-base-uncased";
            o.pad_id = -1;
            o.tokenizer_options.compat = TKA_COMPAT_FAST;
            o.max_length = 1;
        }
        char name[96];
        snprintf(name, sizeof name, "%s %zu/%d", what, i, k);
        failed += !same_both_ways(name, &o, NULL);
    }
    return failed;
}

Test(pipeline_single_pass, generated_files, .timeout = 900)
{
    uint64_t state = 77;
    tka_buf b = {0};
    char tsv[4200];
    size_t failed = 0, tricky = 100, clean = 150;
    runs = failures_seen = 0;
    for (size_t i = 0; i < tricky && failed < 5; i++) {
        random_case(&state, &b);
        write_case(b.data ? b.data : "", b.len, tsv, sizeof tsv);
        failed += compare_drawn_options(&state, tsv, "tricky case", i);
    }
    for (size_t i = 0; i < clean && failed < 5; i++) {
        clean_case(&state, &b);
        write_case(b.data, b.len, tsv, sizeof tsv);
        failed += compare_drawn_options(&state, tsv, "clean case", i);
    }
    cr_expect_eq(failed, 0);
    fprintf(stderr,
            "pipeline single pass = two passes: %zu generated files (%zu tricky), %zu runs "
            "each way, %zu failing alike, %zu dumps identical\n",
            tricky + clean, tricky, runs, failures_seen, runs - failures_seen);
    tka_buf_free(&b);
    remove_dir();
}

/* A file of `rows` rows: sentence(r) TAB label(r). */
static void write_rows(uint64_t rows, void (*cell)(uint64_t, int, tka_buf *), char *tsv,
                       size_t size)
{
    tka_buf b = {0};
    tka_buf_append_str(&b, "sentence\tlabel\n");
    for (uint64_t r = 0; r < rows; r++) {
        cell(r, 0, &b);
        tka_buf_append_char(&b, '\t');
        cell(r, 1, &b);
        tka_buf_append_char(&b, '\n');
    }
    write_case(b.data, b.len, tsv, size);
    tka_buf_free(&b);
}

static void expect_error(const outcome *o, tka_status st, const char *text)
{
    cr_expect_eq(o->st, st, "status %d (%s)", (int)o->st, o->err.message);
    cr_expect(strstr(o->err.message, text), "'%s' lacks '%s'", o->err.message, text);
}

static void numeric_sentences(uint64_t r, int col, tka_buf *b)
{
    if (col == 0)
        tka_buf_printf(b, "%" PRIu64, r * 7);
    else
        tka_buf_append_str(b, r % 2 ? "1" : "0");
}

Test(pipeline_single_pass, numeric_only_sentence_column)
{
    /* Tokenized as text while it streams by; the column is int64 at the
     * end, so the reference refuses row 0 (a number, not a str). */
    char tsv[4200];
    write_rows(30, numeric_sentences, tsv, sizeof tsv);
    for (int f = 0; f < 2; f++) {
        tka_pipeline_options o;
        options(&o, tsv, f ? TKA_FLAVOR_PADDLE : TKA_FLAVOR_TORCH, false);
        outcome one;
        cr_assert(same_both_ways("numeric sentences", &o, &one));
        expect_error(&one, TKA_ERR_REFERENCE, "case.tsv: line 2 (row 0): the sentence is a number");
        cr_expect(
            strstr(one.warnings.data ? one.warnings.data : "", "text column 'sentence' is int64"),
            "warnings: %s", one.warnings.data);
        outcome_free(&one);
    }
    remove_dir();
}

static void float_at_50000(uint64_t r, int col, tka_buf *b)
{
    if (col == 0)
        tka_buf_printf(b, "the film number %" PRIu64, r);
    else
        tka_buf_append_str(b, r == 50000 ? "1.0" : r % 2 ? "1" : "0");
}

Test(pipeline_single_pass, label_column_turns_float_at_row_50000, .timeout = 300)
{
    char tsv[4200];
    write_rows(60000, float_at_50000, tsv, sizeof tsv);
    tka_pipeline_options o;
    /* torch: HF's chunk 5 (rows 50000..59999) is float64, chunk 0 int64 */
    options(&o, tsv, TKA_FLAVOR_TORCH, false);
    outcome one;
    cr_assert(same_both_ways("float label, torch", &o, &one));
    expect_error(&one, TKA_ERR_UNSUPPORTED,
                 "label column 'label' is int64 in rows 0..9999 but float64 in rows 50000..59999");
    outcome_free(&one);
    /* paddle: the whole column is float64 (one low_memory block), the logged
     * labels 0..19 were delivered as ints and are logged from the floats */
    options(&o, tsv, TKA_FLAVOR_PADDLE, false);
    cr_assert(same_both_ways("float label, paddle", &o, &one));
    cr_expect_eq(one.st, TKA_OK, "%s", one.err.message);
    cr_expect_eq(one.result.rows, 60000);
    cr_expect(
        strstr(one.warnings.data ? one.warnings.data : "", "label column 'label' is float64"));
    outcome_free(&one);
    /* and a logged row with the non-integer label itself: truncated, as
     * np.array([1.5], dtype="int64") does */
    static const int64_t item[] = {50000};
    o.dataset_items = item;
    o.num_dataset_items = 1;
    cr_assert(same_both_ways("float label, paddle, item 50000", &o, &one));
    cr_expect_eq(one.st, TKA_OK, "%s", one.err.message);
    outcome_free(&one);
    remove_dir();
}

static void plain(uint64_t r, int col, tka_buf *b)
{
    if (col == 0)
        tka_buf_printf(b, r == 9000 ? "" : "row %" PRIu64 " is fine", r);
    else
        tka_buf_append_str(b, r % 2 ? "1" : "0");
}

Test(pipeline_single_pass, decisions_at_the_end_of_the_pass, .timeout = 300)
{
    char tsv[4200];
    write_rows(10000, plain, tsv, sizeof tsv);
    tka_pipeline_options o;
    outcome one;

    /* a dataset item beyond the row count: known only at the end */
    static const int64_t far[] = {2, 10000};
    options(&o, tsv, TKA_FLAVOR_TORCH, false);
    o.dataset_items = far;
    o.num_dataset_items = 2;
    cr_assert(same_both_ways("item beyond the rows", &o, &one));
    expect_error(&one, TKA_ERR_ARGUMENT, "dataset item 10000 is out of range: ");
    cr_expect(strstr(one.err.message, "has 10000 rows"), "%s", one.err.message);
    outcome_free(&one);

    /* ... which wins over a refused row (row 9000 is NaN), as the two-pass
     * run checks items at open */
    options(&o, tsv, TKA_FLAVOR_PADDLE, false);
    cr_assert(same_both_ways("NaN sentence at row 9000", &o, &one));
    expect_error(&one, TKA_ERR_REFERENCE, "line 9002 (row 9000): the sentence is missing");
    outcome_free(&one);

    /* every batch logged: the whole file kept, 2500 batches */
    options(&o, tsv, TKA_FLAVOR_TORCH, false);
    o.num_batches = 0;
    o.dataset_items = far;
    o.num_dataset_items = 1;
    cr_assert(same_both_ways("all batches", &o, &one));
    expect_error(&one, TKA_ERR_REFERENCE, "line 9002 (row 9000)");
    outcome_free(&one);

    /* the encoder fails on every row (BertTokenizerFast, max_length below the
     * special tokens): chunk 0 (rows 0..8191) fails before row 9000 is checked */
    options(&o, tsv, TKA_FLAVOR_TORCH, false);
    o.tokenizer_options.compat = TKA_COMPAT_FAST;
    o.max_length = 1;
    cr_assert(same_both_ways("encoder error in chunk 0", &o, &one));
    expect_error(&one, TKA_ERR_ARGUMENT,
                 "line 2 (row 0): max_length 1 is smaller than the 2 special tokens");
    outcome_free(&one);
    remove_dir();
}

static void nan_at_3(uint64_t r, int col, tka_buf *b)
{
    if (col == 0)
        tka_buf_append_str(b, r == 3 ? "NA" : "words");
    else
        tka_buf_append_str(b, "1");
}

Test(pipeline_single_pass, refused_row_before_the_first_chunk_is_encoded)
{
    /* row 3 is refused before chunk 0 is full, so the encoder never runs */
    char tsv[4200];
    write_rows(20, nan_at_3, tsv, sizeof tsv);
    tka_pipeline_options o;
    options(&o, tsv, TKA_FLAVOR_TORCH, false);
    o.tokenizer_options.compat = TKA_COMPAT_FAST;
    o.max_length = 1;
    outcome one;
    cr_assert(same_both_ways("NaN at row 3, encoder error", &o, &one));
    expect_error(&one, TKA_ERR_REFERENCE, "line 5 (row 3): the sentence is missing");
    outcome_free(&one);
    remove_dir();
}

Test(pipeline_single_pass, parser_error_wins_over_everything_found_earlier)
{
    /* a NaN sentence, a bad paddle label and an unmakeable encoder early, a
     * parser error at the end: the two-pass run reports the parser error at
     * open, and so must the single pass */
    static const char data[] = "sentence\tlabel\n\t1\nok\tneg\nfine\t0\nx\t1\textra\n";
    char tsv[4200];
    write_case(data, sizeof data - 1, tsv, sizeof tsv);
    tka_pipeline_options o;
    outcome one;
    for (int k = 0; k < 3; k++) {
        options(&o, tsv, k == 1 ? TKA_FLAVOR_PADDLE : TKA_FLAVOR_TORCH, k == 2);
        if (k == 2)
            o.pad_id = -1; /* Reformer, torch: HF's missing pad token */
        cr_assert(same_both_ways("parser error last", &o, &one));
        expect_error(&one, TKA_ERR_FORMAT, "Expected 2 fields in line 5, saw 3");
        outcome_free(&one);
    }
    /* without it: the missing pad token is reported by both */
    static const char good[] = "sentence\tlabel\nok\t1\n";
    write_case(good, sizeof good - 1, tsv, sizeof tsv);
    options(&o, tsv, TKA_FLAVOR_TORCH, true);
    o.pad_id = -1;
    cr_assert(same_both_ways("missing pad token", &o, &one));
    expect_error(&one, TKA_ERR_REFERENCE,
                 "Asking to pad but the tokenizer does not have a padding token");
    outcome_free(&one);
    /* GLUE: a short row early, a field over csv's limit later */
    tka_buf b = {0};
    tka_buf_append_str(&b, "sentence\tlabel\nok\t1\nshort\n");
    for (int i = 0; i < 131073; i++)
        tka_buf_append_char(&b, 'x');
    tka_buf_append_str(&b, "\t1\n");
    write_case(b.data, b.len, tsv, sizeof tsv);
    tka_buf_free(&b);
    options(&o, tsv, TKA_FLAVOR_PADDLE, false);
    o.dataset.tsv.mode = TKA_TSV_GLUE;
    cr_assert(same_both_ways("GLUE: short row, then field limit", &o, &one));
    expect_error(&one, TKA_ERR_REFERENCE, "field larger than field limit (131072)");
    outcome_free(&one);
    remove_dir();
}

/* The deferred checks ask the dataset for the first text cell that is not a
 * str; when the dataset cannot answer (here: the pass has not reached the
 * end), that failure and its message come out, not "every cell is a str". */
Test(pipeline_single_pass, deferred_checks_report_a_failed_lookup)
{
    static const char tsv[] = "sentence\tlabel\nhello\t1\n";
    tka_dataset_options o;
    tka_dataset_options_init(&o);
    o.single_pass = true;
    tka_dataset *ds = NULL;
    tka_error err = {0};
    cr_assert_eq(tka_dataset_open_memory("case.tsv", tsv, sizeof tsv - 1, &o, &ds, &err), TKA_OK,
                 "%s", err.message);
    run r;
    memset(&r, 0, sizeof r);
    r.ds = ds;
    row_failure first;
    memset(&first, 0, sizeof first);
    tka_status st = pipeline_deferred_checks(&r, &first, &err);
    cr_expect_eq(st, TKA_ERR_ARGUMENT, "status %d (%s)", st, err.message);
    cr_expect_not_null(strstr(err.message, "case.tsv: the first non-string cell is known"), "%s",
                       err.message);
    cr_expect(!first.set);
    tka_dataset_free(ds);
}
