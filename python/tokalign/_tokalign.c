/* _tokalign: the CPython binding of the public C API; batch encoding writes
 * ids straight into numpy arrays on tokalign threads with the GIL released. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tokalign/arena.h"
#include "tokalign/diff.h"
#include "tokalign/dump.h"
#include "tokalign/encode.h"
#include "tokalign/pipeline.h"
#include "tokalign/pool.h"
#include "tokalign/sampler.h"
#include "tokalign/status.h"
#include "tokalign/text.h"
#include "tokalign/tokenizer.h"
/* The installable library (issue 8) adds a generated version header with
 * tka_version(); before it, the version comes from the build. */
#if defined(__has_include)
#if __has_include("tokalign/version.h")
#include "tokalign/version.h"
#endif
#endif

static PyObject *TkaError; /* _tokalign.Error(status_name, message) */

/* Raises the error as Python sees it: TKA_ERR_REFERENCE carries the
 * reference's own exception text ("ValueError: ..."), mapped back to that
 * class where it is a builtin; everything else is tokalign.Error. */
static PyObject *raise_tka(const tka_error *err)
{
    const char *m = err->message;
    static const struct {
        const char *prefix;
        PyObject **cls;
    } map[] = {
        {"ValueError: ", &PyExc_ValueError}, {"AssertionError: ", &PyExc_AssertionError},
        {"TypeError: ", &PyExc_TypeError},   {"KeyError: ", &PyExc_KeyError},
        {"IndexError: ", &PyExc_IndexError}, {"NotImplementedError: ", &PyExc_NotImplementedError}};
    if (err->status == TKA_ERR_REFERENCE)
        for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
            size_t n = strlen(map[i].prefix);
            if (strncmp(m, map[i].prefix, n) == 0) {
                PyErr_SetString(*map[i].cls, m + n);
                return NULL;
            }
        }
    if (err->status == TKA_ERR_REFERENCE) {
        PyErr_SetString(PyExc_ValueError, m);
        return NULL;
    }
    PyObject *args = Py_BuildValue("(ss)", tka_status_name(err->status), m);
    if (args) {
        PyErr_SetObject(TkaError, args);
        Py_DECREF(args);
    }
    return NULL;
}

/* ---------------------------------------------------------------- Tokenizer */

struct batch_job;

/* The batch calls' per-worker state: worker w encodes with encoders[w] into
 * arenas[w]. */
typedef struct batch_workers {
    int count;
    tka_encode_options options; /* the encoders' */
    tka_encoder **encoders;
    tka_arena **arenas;
    size_t *block_size; /* arenas[w]'s */
} batch_workers;

#define ARENA_MIN_BLOCK ((size_t)1 << 20)

/* Whether encoders made with options a encode as ones made with b (every
 * field of tka_encode_options). */
static bool same_options(const tka_encode_options *a, const tka_encode_options *b)
{
    return a->max_length == b->max_length && a->truncation == b->truncation &&
           a->stride == b->stride && a->padding == b->padding &&
           a->pad_to_multiple_of == b->pad_to_multiple_of && a->padding_side == b->padding_side &&
           a->pad_id == b->pad_id && a->pad_type_id == b->pad_type_id &&
           a->add_special_tokens == b->add_special_tokens && a->offsets == b->offsets &&
           a->strings == b->strings && a->overflow == b->overflow && a->type_ids == b->type_ids &&
           a->word_ids == b->word_ids;
}

static void batch_workers_free(batch_workers *w)
{
    for (int t = 0; w->encoders && w->arenas && t < w->count; t++) {
        tka_encoder_free(w->encoders[t]);
        tka_arena_free(w->arenas[t]);
    }
    free(w->encoders);
    free(w->arenas);
    free(w->block_size);
    memset(w, 0, sizeof *w);
}

/* After a call, kept arenas are emptied for the next; an arena that needed
 * more than one block (a large batch: a whole Dask partition in one call)
 * is replaced by one whose block holds what this call used, so the next
 * call of the kind reuses that block instead of allocating (and faulting
 * in) its blocks afresh; one far larger than that need shrinks to it. */
static void batch_workers_fit(batch_workers *w)
{
    for (int t = 0; t < w->count; t++) {
        size_t used = tka_arena_used(w->arenas[t]);
        size_t want = used + used / 4 > ARENA_MIN_BLOCK ? used + used / 4 : ARENA_MIN_BLOCK;
        tka_arena *fitted = NULL;
        if ((used > w->block_size[t] || w->block_size[t] / 4 > want) &&
            (fitted = tka_arena_new(want)) != NULL) {
            tka_arena_free(w->arenas[t]);
            w->arenas[t] = fitted;
            w->block_size[t] = want;
        } else {
            tka_arena_reset(w->arenas[t]);
        }
    }
}

typedef struct {
    PyObject_HEAD tka_tokenizer *tok;
    /* The batch calls' thread pool, kept between calls (its threads wait
     * idle): starting and joining threads on every call cost about as much
     * as encoding a batch of a thousand short lines. One call at a time
     * uses it (pool_busy, under the GIL); a concurrent call from another
     * Python thread gets a pool of its own. */
    tka_pool *pool;
    int pool_threads;
    pid_t pool_pid; /* a forked child has none of its parent's pool threads */
    bool pool_busy;
    struct batch_job *pool_job; /* the pool's context: the job of the call using it */
    /* The encoders and arenas, kept with the pool (same owner, same busy flag)
     * while the options stay the same, the arenas reset after each call: made
     * afresh per call, their scratch and the arenas' first blocks were
     * allocated, faulted in and freed every call -- with the dynamic mmap
     * threshold off (MALLOC_TRIM_THRESHOLD_ set, as distributed's workers
     * do) as fresh mmaps, which nearly doubled the CPU of a 1 024-line call. */
    batch_workers workers;
} TokenizerObject;

static void Tokenizer_dealloc(TokenizerObject *self)
{
    if (self->pool && self->pool_pid == getpid())
        tka_pool_free(self->pool);
    batch_workers_free(&self->workers);
    tka_tokenizer_free(self->tok);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Tokenizer_init(TokenizerObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"spec", "compat", "do_lower_case", "mirror", NULL};
    const char *spec, *compat = "slow", *mirror = NULL;
    int lower = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|siz", names, &spec, &compat, &lower, &mirror))
        return -1;
    tka_tokenizer_options o;
    tka_tokenizer_options_init(&o);
    if (strcmp(compat, "slow") == 0)
        o.compat = TKA_COMPAT_SLOW;
    else if (strcmp(compat, "fast") == 0)
        o.compat = TKA_COMPAT_FAST;
    else {
        PyErr_Format(PyExc_ValueError, "compat must be 'slow' or 'fast', not %R",
                     PyTuple_GET_ITEM(args, 1));
        return -1;
    }
    o.do_lower_case = lower;
    o.mirror_dir = mirror;
    tka_error err;
    tka_tokenizer *tok = NULL;
    tka_status st;
    Py_BEGIN_ALLOW_THREADS st = tka_tokenizer_open(spec, &o, &tok, &err);
    Py_END_ALLOW_THREADS if (st != TKA_OK)
    {
        raise_tka(&err);
        return -1;
    }
    tka_tokenizer_free(self->tok);
    self->tok = tok;
    return 0;
}

static bool ready(TokenizerObject *self)
{
    if (!self->tok)
        PyErr_SetString(PyExc_RuntimeError, "tokenizer not opened");
    return self->tok != NULL;
}

static PyObject *Tokenizer_info(TokenizerObject *self, PyObject *unused)
{
    if (!ready(self))
        return NULL;
    const tka_tokenizer *t = self->tok;
    PyObject *sp = PyDict_New();
    static const char *sn[] = {"unk", "cls", "sep", "pad", "mask", "bos", "eos"};
    for (int i = 0; sp && i < TKA_SPECIAL_COUNT; i++) {
        PyObject *v = PyLong_FromLong(tka_tokenizer_special_id(t, (tka_special)i));
        if (!v || PyDict_SetItemString(sp, sn[i], v) < 0) {
            Py_XDECREF(v);
            Py_CLEAR(sp);
        }
        Py_XDECREF(v);
    }
    if (!sp)
        return NULL;
    tka_tokenizer_kind kind = tka_tokenizer_get_kind(t);
    return Py_BuildValue("{s:s,s:s,s:s,s:s,s:n,s:N}", "kind",
                         kind == TKA_TOKENIZER_WORDPIECE ? "wordpiece"
                         : kind == TKA_TOKENIZER_JSON    ? "json"
                                                         : "sentencepiece",
                         "compat", tka_tokenizer_get_compat(t) == TKA_COMPAT_FAST ? "fast" : "slow",
                         "source", tka_tokenizer_source(t), "warnings", tka_tokenizer_warnings(t),
                         "vocab_size", (Py_ssize_t)tka_tokenizer_vocab_size(t), "special_ids", sp);
}

static PyObject *Tokenizer_id_to_token(TokenizerObject *self, PyObject *arg)
{
    if (!ready(self))
        return NULL;
    long id = PyLong_AsLong(arg);
    if (id == -1 && PyErr_Occurred())
        return NULL;
    size_t len;
    const char *s = id < INT32_MIN || id > INT32_MAX
                        ? NULL
                        : tka_tokenizer_id_to_token(self->tok, (int32_t)id, &len);
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "replace");
}

static PyObject *Tokenizer_token_to_id(TokenizerObject *self, PyObject *arg)
{
    if (!ready(self))
        return NULL;
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &len);
    if (!s)
        return NULL;
    return PyLong_FromLong(tka_tokenizer_token_to_id(self->tok, s, (size_t)len));
}

/* tokenize(text) -> (ids: list[int], tokens: list[str]) without specials. */
static PyObject *Tokenizer_tokenize(TokenizerObject *self, PyObject *arg)
{
    if (!ready(self))
        return NULL;
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &len);
    if (!s)
        return NULL;
    tka_tokens t = {0};
    tka_error err;
    tka_status st;
    Py_BEGIN_ALLOW_THREADS st =
        tka_tokenize(self->tok, s, (size_t)len, TKA_TOKENS_STRINGS, &t, &err);
    Py_END_ALLOW_THREADS if (st != TKA_OK)
    {
        tka_tokens_free(&t);
        return raise_tka(&err);
    }
    PyObject *ids = PyList_New((Py_ssize_t)t.count), *toks = PyList_New((Py_ssize_t)t.count);
    for (size_t i = 0; ids && toks && i < t.count; i++) {
        PyObject *a = PyLong_FromLong(t.ids[i]);
        PyObject *b = PyUnicode_DecodeUTF8(t.text + t.text_start[i], t.text_len[i], "replace");
        if (!a || !b) {
            Py_XDECREF(a);
            Py_XDECREF(b);
            Py_CLEAR(ids);
            break;
        }
        PyList_SET_ITEM(ids, (Py_ssize_t)i, a);
        PyList_SET_ITEM(toks, (Py_ssize_t)i, b);
    }
    tka_tokens_free(&t);
    if (!ids || !toks) {
        Py_XDECREF(ids);
        Py_XDECREF(toks);
        return NULL;
    }
    return Py_BuildValue("(NN)", ids, toks);
}

/* An int32 id buffer from any sequence of ints (a list or a numpy array). */
static int32_t *ids_from_object(PyObject *obj, size_t *n)
{
    PyArrayObject *a = (PyArrayObject *)PyArray_FROMANY(obj, NPY_INT64, 0, 1, NPY_ARRAY_CARRAY);
    if (!a)
        return NULL;
    size_t count = (size_t)PyArray_SIZE(a);
    int32_t *ids = malloc((count ? count : 1) * sizeof *ids);
    const int64_t *v = PyArray_DATA(a);
    for (size_t i = 0; ids && i < count; i++)
        ids[i] = v[i] < INT32_MIN || v[i] > INT32_MAX ? -1 : (int32_t)v[i];
    Py_DECREF(a);
    if (!ids)
        PyErr_NoMemory();
    *n = count;
    return ids;
}

static PyObject *Tokenizer_decode(TokenizerObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"ids", "skip_special_tokens", "clean_up_tokenization_spaces", NULL};
    PyObject *obj;
    int skip = 0, clean = 1;
    if (!ready(self) || !PyArg_ParseTupleAndKeywords(args, kw, "O|pp", names, &obj, &skip, &clean))
        return NULL;
    size_t n;
    int32_t *ids = ids_from_object(obj, &n);
    if (!ids)
        return NULL;
    tka_decode_options o;
    tka_decode_options_init(&o);
    o.skip_special_tokens = skip;
    o.clean_up_tokenization_spaces = clean;
    tka_buf out = {0};
    tka_error err;
    tka_status st = tka_decode(self->tok, ids, n, &o, &out, &err);
    free(ids);
    if (st != TKA_OK) {
        tka_buf_free(&out);
        return raise_tka(&err);
    }
    PyObject *r = PyUnicode_DecodeUTF8(out.data ? out.data : "", (Py_ssize_t)out.len, "replace");
    tka_buf_free(&out);
    return r;
}

/* ------------------------------------------------------------ batch encode */

/* Where phase 2 writes: the result's numpy buffers (NULL: not asked for)
 * and each row's place in them, laid out before the phase starts. */
typedef struct batch_out {
    int64_t *lengths, *ids, *tt, *am, *stm, *offs, *ovf, *ovf_len, *ntrunc, *sample;
    int64_t *words; /* word ids, -1 for None */
    size_t *row_at; /* text i's rows: [row_at[i], row_at[i + 1]) */
    size_t *tok_at; /* row r's tokens: from tok_at[r] (padded lengths) */
    size_t *ovf_at; /* row r's overflowing tokens: from ovf_at[r] */
} batch_out;

/* The arrays a batch call can return, in the result dict's key order. */
enum {
    A_LEN,
    A_IDS,
    A_TT,
    A_AM,
    A_STM,
    A_OFFS,
    A_OVF,
    A_OVF_LEN,
    A_NTRUNC,
    A_SAMPLE,
    A_WORDS,
    A_N
};
static const char *const array_keys[A_N] = {"lengths",
                                            "input_ids",
                                            "token_type_ids",
                                            "attention_mask",
                                            "special_tokens_mask",
                                            "offset_mapping",
                                            "overflowing_tokens",
                                            "overflow_lengths",
                                            "num_truncated_tokens",
                                            "overflow_to_sample_mapping",
                                            "word_ids"};

/* A block of rows is the unit a worker claims: a thread that hits long rows
 * does not hold the others up. */
#define BLOCK_ROWS 64

/* A worker's first failure (it stops there): block SIZE_MAX when none. */
typedef struct batch_failure {
    size_t block;
    tka_error err;
} batch_failure;

/* One batch call. Each worker runs one pool task that claims blocks of rows
 * in order (next_encode) and encodes them; the owner's thread (worker 0),
 * once every block is encoded, lays the rows out, takes the GIL to make the
 * numpy arrays and sets `ready`; then every worker claims blocks again
 * (next_write), pads them to the batch's width and writes them into the
 * arrays. So a call wakes the pool's threads once (a second pool round for
 * the writing cost a second wake-up, which on a busy or virtual machine
 * often took longer than the writing itself) and no thread waits for a
 * submission. Claims are in row order and stop after a failure, so every
 * block before a failing one has run: the first failing row is the
 * lowest failing block over the workers, as one thread meets it. */
typedef struct batch_job {
    const tka_tokenizer *tok;
    size_t n, n_blocks;
    const char **text, **pair;
    size_t *text_len, *pair_len;
    tka_encoding *enc;
    tka_encoder *
        *encoders;      /* one per pool worker (encoders are not thread-safe; the tokenizer is) */
    tka_arena **arenas; /* one per pool worker; the encodings live there */
    atomic_size_t next_encode, encoded, next_write;
    atomic_bool failed;
    atomic_int ready;        /* 0: not laid out yet; 1: the arrays are there; -1: no writing */
    batch_failure *failures; /* one per worker */
    PyThreadState *ts;       /* the owner's, while the call runs without the GIL */
    tka_status layout_st;    /* the owner's own failure */
    tka_error layout_err;
    bool arrays_failed; /* making the arrays raised (the exception is set) */
    size_t width;       /* tka_encoder_pad_width of the whole batch */
    bool overflow;      /* a fast encoding's overflow encodings are rows of their own */
    bool want[A_N];     /* arrays asked for (A_TT: and present) */
    size_t count[A_N];
    PyObject *arr[A_N];
    size_t n_rows;
    batch_out out;
    /* is_split_into_words: row i's words are word[wfirst[i] .. + wcount[i]) (its pair's
     * from pfirst / pcount), into one flat array */
    bool words;
    const char **word;
    size_t *word_len, *wfirst, *wcount, *pfirst, *pcount;
} batch_job;

/* Row r of the output (the k-th of text i's: 0 its encoding, then its
 * overflow encodings) into the numpy buffers. */
static void write_row(const batch_out *o, size_t r, size_t i, const tka_encoding *e)
{
    size_t at = o->tok_at[r];
    o->lengths[r] = (int64_t)e->length;
    for (size_t j = 0; j < e->length; j++)
        o->ids[at + j] = e->input_ids[j];
    if (o->tt)
        for (size_t j = 0; j < e->length; j++)
            o->tt[at + j] = e->token_type_ids[j];
    if (o->am)
        for (size_t j = 0; j < e->length; j++)
            o->am[at + j] = e->attention_mask[j];
    if (o->stm)
        for (size_t j = 0; j < e->length; j++)
            o->stm[at + j] = e->special_tokens_mask[j];
    if (o->offs)
        for (size_t j = 0; j < e->length; j++) {
            o->offs[2 * (at + j)] = e->offset_starts ? e->offset_starts[j] : 0;
            o->offs[2 * (at + j) + 1] = e->offset_ends ? e->offset_ends[j] : 0;
        }
    if (o->words)
        for (size_t j = 0; j < e->length; j++)
            o->words[at + j] = e->word_ids ? e->word_ids[j] : -1;
    if (o->ovf) {
        for (size_t j = 0; j < e->n_overflowing_tokens; j++)
            o->ovf[o->ovf_at[r] + j] = e->overflowing_tokens[j];
        o->ovf_len[r] = (int64_t)e->n_overflowing_tokens;
        o->ntrunc[r] = e->num_truncated_tokens;
    }
    if (o->sample)
        o->sample[r] = (int64_t)i;
}

/* A short wait for another thread's progress: yield the CPU first, then
 * sleep in small steps (the owner may be waiting for the GIL). */
static void backoff(unsigned *spins)
{
    if (++*spins < 64) {
        sched_yield();
    } else {
        struct timespec pause = {0, 20000};
        nanosleep(&pause, NULL);
    }
}

/* The next block of a claim counter, false when none is left or a worker
 * has failed. */
static bool claim(const batch_job *j, atomic_size_t *next, size_t *block)
{
    if (atomic_load(&j->failed))
        return false;
    *block = atomic_fetch_add(next, 1);
    return *block < j->n_blocks;
}

static void fail(batch_job *j, int worker, size_t block)
{
    j->failures[worker].block = block;
    atomic_store(&j->failed, true);
}

static bool encode_block(batch_job *j, int worker, size_t block)
{
    size_t start = block * BLOCK_ROWS, end = start + BLOCK_ROWS < j->n ? start + BLOCK_ROWS : j->n;
    tka_error *err = &j->failures[worker].err;
    for (size_t i = start; i < end; i++) {
        tka_status st =
            j->words
                ? tka_encoder_encode_words(
                      j->encoders[worker], j->word + j->wfirst[i], j->word_len + j->wfirst[i],
                      j->wcount[i], j->pcount ? j->word + j->pfirst[i] : NULL,
                      j->pcount ? j->word_len + j->pfirst[i] : NULL, j->pcount ? j->pcount[i] : 0,
                      j->arenas[worker], &j->enc[i], err)
                : tka_encoder_encode(j->encoders[worker], j->text[i], j->text_len[i], j->pair[i],
                                     j->pair_len[i], j->arenas[worker], &j->enc[i], err);
        if (st != TKA_OK) {
            fail(j, worker, block);
            return false;
        }
    }
    return true;
}

/* Pads the block's rows to the batch's width (in this worker's arena) and
 * writes them into the arrays. */
static bool write_block(batch_job *j, int worker, size_t block)
{
    size_t start = block * BLOCK_ROWS, end = start + BLOCK_ROWS < j->n ? start + BLOCK_ROWS : j->n;
    if (tka_encoder_pad_to(j->encoders[worker], &j->enc[start], end - start, j->width,
                           j->arenas[worker], &j->failures[worker].err) != TKA_OK) {
        fail(j, worker, block);
        return false;
    }
    for (size_t i = start; i < end; i++) {
        const tka_encoding *e = &j->enc[i];
        size_t r = j->out.row_at[i];
        write_row(&j->out, r++, i, e);
        for (size_t k = 0; j->overflow && k < e->n_overflowing; k++)
            write_row(&j->out, r++, i, &e->overflowing[k]);
    }
    return true;
}

/* The numpy arrays of the layout, made with the GIL held. */
static bool batch_arrays(batch_job *j)
{
    for (int a = 0; a < A_N; a++) {
        if (!j->want[a])
            continue;
        npy_intp dims[2] = {(npy_intp)j->count[a], 2};
        j->arr[a] = PyArray_SimpleNew(a == A_OFFS ? 2 : 1, dims, NPY_INT64);
        if (!j->arr[a])
            return false;
    }
    int64_t **dst[A_N] = {&j->out.lengths, &j->out.ids,    &j->out.tt,   &j->out.am,
                          &j->out.stm,     &j->out.offs,   &j->out.ovf,  &j->out.ovf_len,
                          &j->out.ntrunc,  &j->out.sample, &j->out.words};
    for (int a = 0; a < A_N; a++)
        *dst[a] = j->arr[a] ? PyArray_DATA((PyArrayObject *)j->arr[a]) : NULL;
    return true;
}

/* On the owner's thread, without the GIL, once every block is encoded: the
 * rows (each text's encoding followed, with overflow in fast compat, by its
 * overflow encodings, as PreTrainedTokenizerFast._batch_encode_plus stacks
 * them), where each row's padded tokens go, and the arrays; then `ready`. */
static void batch_layout(batch_job *j)
{
    if (atomic_load(&j->ready) != 0)
        return; /* an earlier task of the owner's did it */
    unsigned spins = 0;
    while (atomic_load(&j->encoded) < j->n_blocks && !atomic_load(&j->failed))
        backoff(&spins);
    if (atomic_load(&j->failed)) {
        atomic_store(&j->ready, -1);
        return;
    }
    size_t n = j->n, n_rows = n, total = 0, total_ovf = 0;
    j->width = tka_encoder_pad_width(j->encoders[0], j->enc, n);
    for (size_t i = 0; j->overflow && i < n; i++)
        n_rows += j->enc[i].n_overflowing;
    /* worker 0's arena: this is the owner's thread, the others wait */
    size_t *layout = tka_arena_calloc(j->arenas[0], n + 1 + 2 * (n_rows + 1), sizeof *layout);
    if (!layout) {
        j->layout_st = tka_error_set(&j->layout_err, TKA_ERR_NOMEM, "out of memory");
        atomic_store(&j->ready, -1);
        return;
    }
    batch_out *bo = &j->out;
    bo->row_at = layout;
    bo->tok_at = layout + n + 1;
    bo->ovf_at = bo->tok_at + n_rows + 1;
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        const tka_encoding *e = &j->enc[i];
        bo->row_at[i] = r;
        for (size_t k = 0; k <= (j->overflow ? e->n_overflowing : 0); k++, r++) {
            const tka_encoding *x = k ? &e->overflowing[k - 1] : e;
            bo->tok_at[r] = total;
            bo->ovf_at[r] = total_ovf;
            /* tka_encoder_pad_to: shorter rows become width long */
            total += x->length > j->width ? x->length : j->width;
            total_ovf += x->n_overflowing_tokens;
            j->want[A_TT] &= x->token_type_ids != NULL;
        }
    }
    bo->row_at[n] = r;
    j->n_rows = n_rows;
    const size_t count[A_N] = {n_rows,    total,  total,  total,  total, total,
                               total_ovf, n_rows, n_rows, n_rows, total};
    memcpy(j->count, count, sizeof count);
    PyEval_RestoreThread(j->ts);
    bool ok = batch_arrays(j);
    j->ts = PyEval_SaveThread();
    j->arrays_failed = !ok;
    atomic_store(&j->ready, ok ? 1 : -1);
}

/* The task of one worker (see batch_job). */
static tka_status batch_work(void *ctx, int worker, void *task, tka_error *err)
{
    (void)task;
    (void)err; /* failures go to j->failures, so that the others' tasks run on */
    batch_job *j = *(batch_job **)ctx;
    size_t b;
    while (claim(j, &j->next_encode, &b)) {
        if (!encode_block(j, worker, b))
            break;
        atomic_fetch_add(&j->encoded, 1);
    }
    /* The owner always runs one of the tasks (one per worker, each pool
     * thread holds at most one while it waits here), so the wait ends. */
    if (worker == 0)
        batch_layout(j);
    int ready;
    unsigned spins = 0;
    while ((ready = atomic_load(&j->ready)) == 0)
        backoff(&spins);
    while (ready > 0 && claim(j, &j->next_write, &b))
        if (!write_block(j, worker, b))
            break;
    return TKA_OK;
}

/* One pool round: a task per worker, all submitted at once (the pool is
 * made with room for them). */
static tka_status batch_run(tka_pool *pool, int threads, batch_job *j, tka_error *err)
{
    tka_status st = TKA_OK;
    for (int t = 0; t < threads && st == TKA_OK; t++)
        st = tka_pool_submit(pool, j, err);
    if (st != TKA_OK) { /* the tasks already submitted stop at once */
        atomic_store(&j->failed, true);
        atomic_store(&j->ready, -1);
    }
    void *done;
    while (tka_pool_next(pool, &done, NULL) == TKA_OK) {
        /* the tasks report no failure of their own (see batch_failure) */
    }
    if (st == TKA_OK && atomic_load(&j->ready) == 0) {
        /* the owner ran no task (cannot happen, see batch_work): run one here */
        batch_job *ctx = j;
        batch_work(&ctx, 0, j, NULL);
    }
    return st;
}

static int parse_enum(PyObject *obj, const char *what, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(PyUnicode_AsUTF8(obj) ? PyUnicode_AsUTF8(obj) : "", names[i]) == 0)
            return i;
    PyErr_Format(PyExc_ValueError, "%s: unknown value %R", what, obj);
    return -1;
}

/* Borrowed UTF-8 of a str list item; the list keeps the objects alive. */
static bool utf8_items(PyObject *seq, size_t n, const char **s, size_t *len, bool allow_none)
{
    for (size_t i = 0; i < n; i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(seq, (Py_ssize_t)i);
        if (allow_none && o == Py_None) {
            s[i] = NULL;
            len[i] = 0;
            continue;
        }
        if (!PyUnicode_Check(o)) {
            PyErr_Format(PyExc_TypeError, "text input must be of type `str`, got %R at index %zu",
                         (PyObject *)Py_TYPE(o), i);
            return false;
        }
        Py_ssize_t l;
        s[i] = PyUnicode_AsUTF8AndSize(o, &l);
        if (!s[i])
            return false;
        len[i] = (size_t)l;
    }
    return true;
}

/* is_split_into_words: each row of tseq (and pseq) a sequence of str, turned into a
 * tuple kept in `keep` (their UTF-8 is read without the GIL) and laid into the job's flat
 * word arrays. */
static bool word_rows(batch_job *j, PyObject *tseq, PyObject *pseq, size_t n, PyObject *keep)
{
    size_t total = 0;
    for (int side = 0; side < (pseq ? 2 : 1); side++) {
        PyObject *seq = side ? pseq : tseq;
        for (size_t i = 0; i < n; i++) {
            PyObject *row = PySequence_Tuple(PySequence_Fast_GET_ITEM(seq, (Py_ssize_t)i));
            if (!row || PyList_Append(keep, row) < 0) {
                Py_XDECREF(row);
                return false;
            }
            total += (size_t)PyTuple_GET_SIZE(row);
            Py_DECREF(row);
        }
    }
    size_t a = n ? n : 1;
    j->word = calloc(total ? total : 1, sizeof *j->word);
    j->word_len = calloc(total ? total : 1, sizeof *j->word_len);
    j->wfirst = calloc(a, sizeof *j->wfirst);
    j->wcount = calloc(a, sizeof *j->wcount);
    if (pseq) {
        j->pfirst = calloc(a, sizeof *j->pfirst);
        j->pcount = calloc(a, sizeof *j->pcount);
    }
    if (!j->word || !j->word_len || !j->wfirst || !j->wcount ||
        (pseq && (!j->pfirst || !j->pcount))) {
        PyErr_NoMemory();
        return false;
    }
    size_t at = 0;
    for (size_t r = 0; n > 0 && r < (size_t)PyList_GET_SIZE(keep); r++) {
        PyObject *row = PyList_GET_ITEM(keep, (Py_ssize_t)r);
        size_t i = r % n, m = (size_t)PyTuple_GET_SIZE(row);
        *(r < n ? &j->wfirst[i] : &j->pfirst[i]) = at;
        *(r < n ? &j->wcount[i] : &j->pcount[i]) = m;
        if (!utf8_items(row, m, j->word + at, j->word_len + at, false))
            return false;
        at += m;
    }
    return true;
}

static int set_array(PyObject *d, const char *key, PyObject *a)
{
    if (!a)
        return -1;
    int r = PyDict_SetItemString(d, key, a);
    Py_DECREF(a);
    return r;
}

/* encode_batch(texts, pairs=None, *, add_special_tokens, max_length,
 * truncation, stride, padding, pad_to_multiple_of, padding_side, pad_id,
 * offsets, overflow, num_threads, token_type_ids, attention_mask,
 * special_tokens_mask, word_ids) -> dict of flat int64 arrays plus
 * "lengths" (tokens per row): row i is [sum(lengths[:i]), +lengths[i]). With
 * uniform lengths (padding) input_ids.reshape(n, L) is the padded batch;
 * "uniform" (bool) says so and "max_row_length" (int) is max(lengths).
 * With overflow, a fast encoding's overflow encodings are rows of their own
 * after it, and "overflow_to_sample_mapping" gives each row's text. */
static PyObject *Tokenizer_encode_batch(TokenizerObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"texts",
                            "pairs",
                            "add_special_tokens",
                            "max_length",
                            "truncation",
                            "stride",
                            "padding",
                            "pad_to_multiple_of",
                            "padding_side",
                            "pad_id",
                            "offsets",
                            "overflow",
                            "num_threads",
                            "token_type_ids",
                            "attention_mask",
                            "special_tokens_mask",
                            "word_ids",
                            "words",
                            NULL};
    PyObject *texts, *pairs = Py_None, *trunc_o = NULL, *pad_o = NULL, *side_o = NULL;
    int add_special = 1, offsets = 0, overflow = 0, threads = 1;
    int want_tt = 1, want_am = 1, want_stm = 1; /* arrays not asked for are not built */
    int want_words = 0;                         /* word ids (-1: None), fast tokenizers */
    int split_words = 0;                        /* rows are lists of words */
    long long max_length = -1, stride = 0, multiple = 0;
    int pad_id = -1;
    if (!ready(self) ||
        !PyArg_ParseTupleAndKeywords(args, kw, "O|O$pLULULUippippppp", names, &texts, &pairs,
                                     &add_special, &max_length, &trunc_o, &stride, &pad_o,
                                     &multiple, &side_o, &pad_id, &offsets, &overflow, &threads,
                                     &want_tt, &want_am, &want_stm, &want_words, &split_words))
        return NULL;
    tka_encode_options o;
    tka_encode_options_init(&o);
    static const char *const truncs[] = {"do_not_truncate", "longest_first", "only_first",
                                         "only_second"};
    static const char *const pads[] = {"do_not_pad", "longest", "max_length"};
    static const char *const sides[] = {"right", "left"};
    int v;
    if (trunc_o) {
        if ((v = parse_enum(trunc_o, "truncation", truncs, 4)) < 0)
            return NULL;
        o.truncation = (tka_truncation)v;
    }
    if (pad_o) {
        if ((v = parse_enum(pad_o, "padding", pads, 3)) < 0)
            return NULL;
        o.padding = (tka_padding)v;
    }
    if (side_o) {
        if ((v = parse_enum(side_o, "padding_side", sides, 2)) < 0)
            return NULL;
        o.padding_side = (tka_padding_side)v;
    }
    o.add_special_tokens = add_special;
    o.max_length = max_length;
    o.stride = stride;
    o.pad_to_multiple_of = multiple;
    o.pad_id = pad_id;
    o.offsets = offsets;
    o.overflow = overflow;
    o.type_ids = want_tt; /* SentencePiece: only when asked (return_token_type_ids=True) */
    o.word_ids = want_words;

    /* Tuples, not the caller's lists: they hold a reference to every str
     * whose UTF-8 buffer the threads read while the GIL is released, so
     * another Python thread emptying the list cannot free one under them. */
    PyObject *tseq = PySequence_Tuple(texts);
    if (!tseq)
        return NULL;
    PyObject *pseq = NULL;
    size_t n = (size_t)PySequence_Fast_GET_SIZE(tseq);
    if (pairs != Py_None) {
        pseq = PySequence_Tuple(pairs);
        if (!pseq || (size_t)PySequence_Fast_GET_SIZE(pseq) != n) {
            if (pseq)
                PyErr_SetString(PyExc_ValueError, "texts and pairs differ in length");
            Py_DECREF(tseq);
            Py_XDECREF(pseq);
            return NULL;
        }
    }
    PyObject *result = NULL;
    PyObject *keep = PyList_New(0); /* the word tuples of is_split_into_words */
    batch_job job;
    memset(&job, 0, sizeof job);
    job.tok = self->tok;
    job.n = n;
    job.n_blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    job.failures = calloc((size_t)threads, sizeof *job.failures);
    atomic_init(&job.next_encode, 0);
    atomic_init(&job.encoded, 0);
    atomic_init(&job.next_write, 0);
    atomic_init(&job.failed, false);
    atomic_init(&job.ready, 0);
    /* The pool, encoders and arenas kept in self, unless another call (from
     * another Python thread) is using them: then this call's own. */
    bool kept = !self->pool_busy;
    batch_workers own = {0};
    batch_workers *workers = kept ? &self->workers : &own;
    tka_pool *pool = NULL;
    tka_error err;
    if (!job.failures || !keep) {
        PyErr_NoMemory();
        kept = false;
        goto done;
    }
    for (int t = 0; t < threads; t++)
        job.failures[t].block = SIZE_MAX;
    if (kept) {
        self->pool_busy = true;
        if (self->pool && (self->pool_threads != threads || self->pool_pid != getpid())) {
            if (self->pool_pid == getpid())
                tka_pool_free(self->pool);
            /* else the parent's: its threads are not in this process, so it
             * cannot be joined; it is left as it is */
            self->pool = NULL;
        }
        self->pool_job = &job;
        pool = self->pool;
    }
    if (workers->count != threads || !same_options(&workers->options, &o)) {
        batch_workers_free(workers);
        workers->encoders = calloc((size_t)threads, sizeof(tka_encoder *));
        workers->arenas = calloc((size_t)threads, sizeof(tka_arena *));
        workers->block_size = calloc((size_t)threads, sizeof *workers->block_size);
        if (!workers->encoders || !workers->arenas || !workers->block_size) {
            batch_workers_free(workers);
            PyErr_NoMemory();
            goto done;
        }
        workers->count = threads;
        workers->options = o;
        for (int t = 0; t < threads; t++) {
            workers->arenas[t] = tka_arena_new(ARENA_MIN_BLOCK);
            workers->block_size[t] = ARENA_MIN_BLOCK;
            if (!workers->arenas[t]) {
                batch_workers_free(workers);
                PyErr_NoMemory();
                goto done;
            }
            if (tka_encoder_new(job.tok, &o, &workers->encoders[t], &err) != TKA_OK) {
                batch_workers_free(workers);
                raise_tka(&err);
                goto done;
            }
        }
    }
    job.encoders = workers->encoders;
    job.arenas = workers->arenas;
    /* The rows' arrays in worker 0's arena too (kept between calls); the
     * owner's thread is worker 0, and no task runs yet. */
    size_t alloc = n ? n : 1;
    job.text = tka_arena_calloc(job.arenas[0], alloc, sizeof *job.text);
    job.pair = tka_arena_calloc(job.arenas[0], alloc, sizeof *job.pair);
    job.text_len = tka_arena_calloc(job.arenas[0], alloc, sizeof *job.text_len);
    job.pair_len = tka_arena_calloc(job.arenas[0], alloc, sizeof *job.pair_len);
    job.enc = tka_arena_calloc(job.arenas[0], alloc, sizeof *job.enc);
    if (!job.text || !job.pair || !job.text_len || !job.pair_len || !job.enc) {
        PyErr_NoMemory();
        goto done;
    }
    job.words = split_words;
    if (split_words ? !word_rows(&job, tseq, pseq, n, keep)
                    : (!utf8_items(tseq, n, job.text, job.text_len, false) ||
                       (pseq && !utf8_items(pseq, n, job.pair, job.pair_len, false))))
        goto done;
    job.overflow = overflow;
    const bool want[A_N] = {true,     true,     want_tt && n > 0, want_am,  want_stm,  offsets,
                            overflow, overflow, overflow,         overflow, want_words};
    memcpy(job.want, want, sizeof want);

    /* Without the GIL: one pool round (see batch_job), in which the owner's
     * task takes the GIL back only to make the arrays. */
    batch_job *job_ptr = &job; /* the context of a pool of this call's own */
    job.ts = PyEval_SaveThread();
    tka_status st = TKA_OK;
    if (job.n_blocks <= 1) /* the caller's thread alone: no pool threads to wake */
        st = batch_work(&job_ptr, 0, &job, &err);
    else {
        if (!pool)
            st = tka_pool_new(threads, 4 * (size_t)threads, batch_work,
                              kept ? (void *)&self->pool_job : (void *)&job_ptr, &pool, &err);
        if (st == TKA_OK)
            st = batch_run(pool, threads, &job, &err);
    }
    PyEval_RestoreThread(job.ts);
    if (st != TKA_OK) {
        raise_tka(&err);
        goto done;
    }
    /* The first failing row in row order: the lowest failing block. */
    const batch_failure *first = NULL;
    for (int t = 0; t < threads; t++)
        if (job.failures[t].block != SIZE_MAX && (!first || job.failures[t].block < first->block))
            first = &job.failures[t];
    if (first) {
        raise_tka(&first->err);
        goto done;
    }
    if (job.layout_st != TKA_OK) {
        raise_tka(&job.layout_err);
        goto done;
    }
    if (job.arrays_failed)
        goto done;
    result = PyDict_New();
    /* Row lengths summarised for the Python side (no pass over the array
     * there): the longest row, and whether all rows have one length. */
    if (result) {
        size_t longest = 0, first_len = 0;
        bool uniform = job.n_rows > 0;
        for (size_t r = 0; r < job.n_rows; r++) {
            size_t len = (size_t)job.out.lengths[r];
            longest = len > longest ? len : longest;
            if (r == 0)
                first_len = len;
            uniform &= len == first_len;
        }
        PyObject *lo = PyLong_FromSize_t(longest);
        if (!lo || PyDict_SetItemString(result, "max_row_length", lo) < 0 ||
            PyDict_SetItemString(result, "uniform", uniform ? Py_True : Py_False) < 0)
            Py_CLEAR(result);
        Py_XDECREF(lo);
    }
    for (int a = 0; a < A_N && result; a++) {
        if (!job.arr[a])
            continue;
        PyObject *arr = job.arr[a];
        job.arr[a] = NULL;
        if (set_array(result, array_keys[a], arr) < 0) /* takes the reference */
            Py_CLEAR(result);
    }
done:
    for (int a = 0; a < A_N; a++)
        Py_XDECREF(job.arr[a]);
    if (kept) {
        self->pool = pool;
        self->pool_threads = threads;
        self->pool_pid = getpid();
        self->pool_busy = false;
        self->pool_job = NULL;
        batch_workers_fit(workers);
    } else {
        tka_pool_free(pool);
        batch_workers_free(&own);
    }
    free(job.failures);
    free(job.word);
    free(job.word_len);
    free(job.wfirst);
    free(job.wcount);
    free(job.pfirst);
    free(job.pcount);
    Py_XDECREF(keep);
    Py_DECREF(tseq);
    Py_XDECREF(pseq);
    return result;
}

static PyMethodDef Tokenizer_methods[] = {
    {"info", (PyCFunction)Tokenizer_info, METH_NOARGS,
     "kind, compat, source, vocab size, specials"},
    {"id_to_token", (PyCFunction)Tokenizer_id_to_token, METH_O, "vocabulary string of an id"},
    {"token_to_id", (PyCFunction)Tokenizer_token_to_id, METH_O, "id of a vocabulary string, -1"},
    {"tokenize", (PyCFunction)Tokenizer_tokenize, METH_O, "(ids, tokens) without specials"},
    {"decode", (PyCFunction)(void (*)(void))Tokenizer_decode, METH_VARARGS | METH_KEYWORDS,
     "transformers 4.9.1 decode"},
    {"encode_batch", (PyCFunction)(void (*)(void))Tokenizer_encode_batch,
     METH_VARARGS | METH_KEYWORDS, "batch encoding into flat int64 arrays"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject TokenizerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tokalign._tokalign.Tokenizer",
    .tp_basicsize = sizeof(TokenizerObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A tokalign tokenizer (tka_tokenizer); thread-safe, shared by batch threads.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Tokenizer_init,
    .tp_dealloc = (destructor)Tokenizer_dealloc,
    .tp_methods = Tokenizer_methods,
};

/* ------------------------------------------------------------------ dumps */

static const int npy_of_dtype[TKA_DTYPE_COUNT] = {
    NPY_BOOL,   NPY_INT8,   NPY_INT16,  NPY_INT32,   NPY_INT64,   NPY_UINT8,
    NPY_UINT16, NPY_UINT32, NPY_UINT64, NPY_FLOAT16, NPY_FLOAT32, NPY_FLOAT64};

static bool dtype_of_npy(int type, tka_dtype *out)
{
    for (int i = 0; i < TKA_DTYPE_COUNT; i++)
        if (PyArray_EquivTypenums(npy_of_dtype[i], type)) {
            *out = (tka_dtype)i;
            return true;
        }
    return false;
}

static PyObject *array_to_numpy(const tka_array *a)
{
    npy_intp dims[TKA_NDIM_MAX];
    for (unsigned d = 0; d < a->ndim; d++)
        dims[d] = (npy_intp)a->shape[d];
    PyObject *r = PyArray_SimpleNew((int)a->ndim, dims, npy_of_dtype[a->dtype]);
    if (!r)
        return NULL;
    memcpy(PyArray_DATA((PyArrayObject *)r), a->data,
           tka_array_count(a) * tka_dtype_size(a->dtype));
    if (a->layout & TKA_ARRAY_FORTRAN) {
        /* keep what the file said: a Fortran-ordered copy, as np.load gives */
        PyObject *f = PyArray_NewCopy((PyArrayObject *)r, NPY_FORTRANORDER);
        Py_DECREF(r);
        r = f;
    }
    if (r && (a->layout & TKA_ARRAY_BIG_ENDIAN) && tka_dtype_size(a->dtype) > 1) {
        PyArray_Descr *be = PyArray_DescrNewByteorder(PyArray_DESCR((PyArrayObject *)r), NPY_BIG);
        PyObject *b =
            be ? PyArray_CastToType((PyArrayObject *)r, be, PyArray_ISFORTRAN((PyArrayObject *)r))
               : NULL;
        Py_DECREF(r);
        r = b;
    }
    return r;
}

static PyObject *dict_to_list(const tka_dict *d)
{
    size_t n = tka_dict_size(d);
    PyObject *out = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; out && i < n; i++) {
        PyObject *a = array_to_numpy(tka_dict_at(d, i));
        PyObject *item = a ? Py_BuildValue("(sN)", tka_dict_key(d, i), a) : NULL;
        if (!item) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, (Py_ssize_t)i, item);
    }
    return out;
}

static const char *kind_name(tka_dump_kind k)
{
    return k == TKA_DUMP_REPROD  ? "reprod"
           : k == TKA_DUMP_ARRAY ? "array"
           : k == TKA_DUMP_NPZ   ? "npz"
                                 : "json";
}

/* load(path) -> (kind, [(key, ndarray), ...]) — never executes a pickle. */
static PyObject *py_load(PyObject *mod, PyObject *args)
{
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path))
        return NULL;
    tka_dict *d = NULL;
    tka_dump_kind kind = TKA_DUMP_REPROD;
    tka_error err;
    tka_status st;
    Py_BEGIN_ALLOW_THREADS st = tka_dump_read(path, TKA_FORMAT_AUTO, &d, &kind, &err);
    Py_END_ALLOW_THREADS if (st != TKA_OK) return raise_tka(&err);
    PyObject *items = dict_to_list(d);
    const char *meta = tka_dict_meta(d);
    PyObject *r = items ? Py_BuildValue("(sNz)", kind_name(kind), items, meta) : NULL;
    tka_dict_free(d);
    return r;
}

/* A tka_dict from [(key, ndarray or int)] where an int names an earlier
 * item holding the very same array object (stored shared, as pickle's memo
 * does). */
static tka_dict *dict_from_items(PyObject *items)
{
    PyObject *seq = PySequence_Fast(items, "items must be a sequence of (key, array)");
    if (!seq)
        return NULL;
    tka_dict *d = tka_dict_new();
    if (!d) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *key;
        PyObject *val;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "sO", &key, &val))
            goto fail;
        tka_error err;
        if (PyLong_Check(val)) {
            long j = PyLong_AsLong(val);
            if (j < 0 || j >= i) {
                PyErr_SetString(PyExc_IndexError, "shared item index out of range");
                goto fail;
            }
            const char *other;
            PyObject *dummy;
            if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, j), "sO", &other, &dummy))
                goto fail;
            if (tka_dict_add_shared(d, key, other, &err) != TKA_OK) {
                raise_tka(&err);
                goto fail;
            }
            continue;
        }
        if (!PyArray_Check(val)) {
            PyErr_Format(PyExc_TypeError, "%s: not a numpy array", key);
            goto fail;
        }
        PyArrayObject *a = (PyArrayObject *)val;
        tka_array arr;
        memset(&arr, 0, sizeof arr);
        if (!dtype_of_npy(PyArray_TYPE(a), &arr.dtype) || PyArray_NDIM(a) > TKA_NDIM_MAX) {
            PyErr_Format(PyExc_TypeError, "%s: dtype %R cannot be written by tokalign", key,
                         (PyObject *)PyArray_DESCR(a));
            goto fail;
        }
        if (PyArray_DESCR(a)->byteorder == '>')
            arr.layout |= TKA_ARRAY_BIG_ENDIAN;
        /* COMPAT: np.save writes fortran_order True only for arrays that are
         * Fortran- but not C-contiguous; everything else goes out in C order. */
        if (PyArray_IS_F_CONTIGUOUS(a) && !PyArray_IS_C_CONTIGUOUS(a))
            arr.layout |= TKA_ARRAY_FORTRAN;
        PyArray_Descr *native = PyArray_DescrFromType(npy_of_dtype[arr.dtype]);
        PyArrayObject *c = (PyArrayObject *)PyArray_FromArray(
            a, native, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED);
        if (!c)
            goto fail;
        arr.ndim = (unsigned)PyArray_NDIM(c);
        for (unsigned k = 0; k < arr.ndim; k++)
            arr.shape[k] = PyArray_DIM(c, (int)k);
        arr.data = PyArray_DATA(c);
        tka_status st = tka_dict_add(d, key, &arr, &err);
        Py_DECREF(c);
        if (st != TKA_OK) {
            raise_tka(&err);
            goto fail;
        }
    }
    Py_DECREF(seq);
    return d;
fail:
    Py_DECREF(seq);
    tka_dict_free(d);
    return NULL;
}

/* reprod_bytes(items) -> bytes of numpy.save(path, dict) */
static PyObject *py_reprod_bytes(PyObject *mod, PyObject *args)
{
    PyObject *items;
    if (!PyArg_ParseTuple(args, "O", &items))
        return NULL;
    tka_dict *d = dict_from_items(items);
    if (!d)
        return NULL;
    tka_buf out = {0};
    tka_error err;
    tka_status st = tka_reprod_encode(d, &out, &err);
    tka_dict_free(d);
    PyObject *r =
        st == TKA_OK ? PyBytes_FromStringAndSize(out.data, (Py_ssize_t)out.len) : raise_tka(&err);
    tka_buf_free(&out);
    return r;
}

/* dump_write(items, path, format) with format "auto"/"npy"/"npz"/"json". */
static PyObject *py_dump_write(PyObject *mod, PyObject *args)
{
    PyObject *items;
    const char *path, *fmt = "auto";
    if (!PyArg_ParseTuple(args, "Os|s", &items, &path, &fmt))
        return NULL;
    static const char *const fmts[] = {"auto", "npy", "npz", "json"};
    int f = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(fmt, fmts[i]) == 0)
            f = i;
    if (f < 0) {
        PyErr_Format(PyExc_ValueError, "unknown dump format %s", fmt);
        return NULL;
    }
    tka_dict *d = dict_from_items(items);
    if (!d)
        return NULL;
    tka_error err;
    tka_status st = tka_dump_write(d, path, (tka_dump_format)f, &err);
    tka_dict_free(d);
    if (st != TKA_OK)
        return raise_tka(&err);
    Py_RETURN_NONE;
}

static PyObject *scalar_obj(const tka_scalar *s)
{
    switch (s->dtype) {
    case TKA_DTYPE_FLOAT16:
    case TKA_DTYPE_FLOAT32:
    case TKA_DTYPE_FLOAT64: return PyFloat_FromDouble(s->v.f);
    case TKA_DTYPE_INT8:
    case TKA_DTYPE_INT16:
    case TKA_DTYPE_INT32:
    case TKA_DTYPE_INT64: return PyLong_FromLongLong(s->v.i);
    default: return PyLong_FromUnsignedLongLong(s->v.u);
    }
}

static PyObject *scalar_text(const tka_scalar *s)
{
    char buf[TKA_PYFLOAT_MAX];
    size_t n = tka_scalar_format(s, buf);
    return PyUnicode_FromStringAndSize(buf, (Py_ssize_t)n);
}

/* diff(items_a, items_b, methods, threshold) -> (stdout, [per-key dict],
 * messages, passed, explanations) or raises what compare_info raises (with
 * its printed lines in the exception's `stdout` attribute). */
static PyObject *py_diff(PyObject *mod, PyObject *args)
{
    PyObject *ia, *ib;
    const char *methods = "mean";
    double threshold = 1e-6;
    if (!PyArg_ParseTuple(args, "OO|sd", &ia, &ib, &methods, &threshold))
        return NULL;
    tka_report_options ro;
    tka_report_options_init(&ro);
    ro.threshold = threshold;
    tka_error err;
    if (tka_report_parse_methods(methods, &ro, &err) != TKA_OK)
        return raise_tka(&err);
    tka_dict *a = dict_from_items(ia), *b = a ? dict_from_items(ib) : NULL;
    if (!b) {
        tka_dict_free(a);
        return NULL;
    }
    tka_diff *diff = NULL;
    tka_buf out = {0}, msgs = {0}, why = {0};
    PyObject *r = NULL;
    tka_status st = tka_diff_compare(a, b, &diff, &out, &err);
    if (st != TKA_OK) {
        PyObject *so = PyUnicode_FromStringAndSize(out.data ? out.data : "", (Py_ssize_t)out.len);
        r = so ? Py_BuildValue("(sOs)", "error", so, err.message) : NULL;
        Py_XDECREF(so);
        if (r) {
            /* (the Python side raises after printing stdout) */
            PyObject *full = Py_BuildValue("(Ni)", r, (int)err.status);
            r = full;
        }
        goto done;
    }
    bool passed = false;
    if (tka_diff_report(diff, &ro, &msgs, &passed, &err) != TKA_OK) {
        raise_tka(&err);
        goto done;
    }
    /* The explanations of every key, judged once with the report's options
     * and reusing compare_info's arithmetic. */
    tka_explain_options eo;
    memset(&eo, 0, sizeof eo);
    eo.diff = diff;
    tka_explanation *ex = NULL;
    if (tka_diff_explain_all(a, b, &ro, &eo, &ex, &err) != TKA_OK) {
        raise_tka(&err);
        goto done;
    }
    size_t nk = tka_diff_count(diff);
    PyObject *keys = PyList_New((Py_ssize_t)nk);
    for (size_t i = 0; keys && i < nk; i++) {
        const tka_key_diff *kd = tka_diff_at(diff, i);
        const tka_key_explanation *kx = NULL;
        for (size_t j = 0; j < tka_explanation_count(ex) && !kx; j++)
            if (strcmp(tka_explanation_at(ex, j)->key, kd->key) == 0)
                kx = tka_explanation_at(ex, j);
        why.len = 0;
        if (kx && tka_key_explanation_format(kx, 0, &why) != TKA_OK) {
            Py_CLEAR(keys);
            PyErr_NoMemory();
            break;
        }
        PyObject *k = Py_BuildValue(
            "{s:s,s:N,s:N,s:N,s:N,s:N,s:N,s:O,s:n,s:s#,s:s}", "key", kd->key, "min",
            scalar_obj(&kd->stat[0]), "max", scalar_obj(&kd->stat[1]), "mean",
            scalar_obj(&kd->stat[2]), "min_text", scalar_text(&kd->stat[0]), "max_text",
            scalar_text(&kd->stat[1]), "mean_text", scalar_text(&kd->stat[2]), "transposed",
            kd->transposed ? Py_True : Py_False, "n_differ", (Py_ssize_t)kd->n_differ, "explain",
            why.data ? why.data : "", (Py_ssize_t)why.len, "cause",
            tka_diff_cause_name(kx ? kx->cause : TKA_CAUSE_NONE));
        if (!k) {
            Py_CLEAR(keys);
            break;
        }
        PyList_SET_ITEM(keys, (Py_ssize_t)i, k);
    }
    tka_explanation_free(ex);
    if (keys)
        r = Py_BuildValue("(s#Ns#O)", out.data ? out.data : "", (Py_ssize_t)out.len, keys,
                          msgs.data ? msgs.data : "", (Py_ssize_t)msgs.len,
                          passed ? Py_True : Py_False);
done:
    tka_buf_free(&out);
    tka_buf_free(&msgs);
    tka_buf_free(&why);
    tka_diff_free(diff);
    tka_dict_free(a);
    tka_dict_free(b);
    return r;
}

static PyObject *py_report_prefix(PyObject *mod, PyObject *args)
{
    long long t;
    if (!PyArg_ParseTuple(args, "L", &t))
        return NULL;
    char buf[64];
    size_t n = tka_report_prefix((time_t)t, buf);
    return PyUnicode_FromStringAndSize(buf, (Py_ssize_t)n);
}

/* --------------------------------------------------------------- samplers */

/* batch_order(dict) -> (indices int64 array, batch_size, num_batches) */
static PyObject *py_batch_order(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = {
        "flavor",        "sampler",    "n",       "batch_size", "seed",           "epoch",
        "rank",          "world_size", "shuffle", "drop_last",  "generator_seed", "shard_drop_last",
        "torch_version", NULL};
    const char *flavor, *sampler;
    long long n, bs, epoch = 0, rank = 0, world = 1;
    PyObject *seed = Py_None, *shuffle = Py_None, *gseed = Py_None;
    int drop_last = 0, shard_drop = 0;
    const char *tv = "2";
    if (!PyArg_ParseTupleAndKeywords(args, kw, "ssLL|OLLLOpOps", names, &flavor, &sampler, &n, &bs,
                                     &seed, &epoch, &rank, &world, &shuffle, &drop_last, &gseed,
                                     &shard_drop, &tv))
        return NULL;
    tka_flavor fl;
    if (strcmp(flavor, "torch") == 0)
        fl = TKA_FLAVOR_TORCH;
    else if (strcmp(flavor, "paddle") == 0)
        fl = TKA_FLAVOR_PADDLE;
    else {
        PyErr_Format(PyExc_ValueError, "flavor must be 'torch' or 'paddle', not '%s'", flavor);
        return NULL;
    }
    tka_sampler_kind k;
    if (strcmp(sampler, "sequential") == 0)
        k = TKA_SAMPLER_SEQUENTIAL;
    else if (strcmp(sampler, "random") == 0)
        k = TKA_SAMPLER_RANDOM;
    else if (strcmp(sampler, "distributed") == 0)
        k = TKA_SAMPLER_DISTRIBUTED;
    else {
        PyErr_Format(PyExc_ValueError,
                     "sampler must be 'sequential', 'random' or 'distributed', not '%s'", sampler);
        return NULL;
    }
    tka_sampler_spec s;
    tka_sampler_spec_init(&s, fl, k);
    s.n = n;
    s.batch_size = bs;
    s.drop_last = drop_last;
    s.epoch = epoch;
    s.rank = rank;
    s.num_replicas = world;
    s.shard_drop_last = shard_drop;
    s.torch_version = strcmp(tv, "1.13") == 0 ? TKA_TORCH_1_13 : TKA_TORCH_2;
    if (seed != Py_None) {
        s.has_seed = true;
        s.seed = PyLong_AsLongLong(seed);
        if (PyErr_Occurred())
            return NULL;
    }
    if (gseed != Py_None) {
        s.has_generator_seed = true;
        s.generator_seed = PyLong_AsUnsignedLongLongMask(gseed);
        if (PyErr_Occurred())
            return NULL;
    }
    if (shuffle != Py_None)
        s.shuffle = PyObject_IsTrue(shuffle);
    tka_batches b;
    memset(&b, 0, sizeof b);
    tka_error err;
    if (tka_sampler_batches(&s, &b, &err) != TKA_OK)
        return raise_tka(&err);
    npy_intp count = (npy_intp)b.count;
    PyObject *arr = PyArray_SimpleNew(1, &count, NPY_INT64);
    if (arr)
        memcpy(PyArray_DATA((PyArrayObject *)arr), b.indices, b.count * sizeof(int64_t));
    PyObject *r =
        arr ? Py_BuildValue("(Nnn)", arr, (Py_ssize_t)b.batch_size, (Py_ssize_t)b.num_batches)
            : NULL;
    tka_batches_free(&b);
    return r;
}

/* ---------------------------------------------------------------- pipeline */

static const char *opt_str(PyObject *d, const char *key)
{
    PyObject *v = PyDict_GetItemString(d, key);
    return v && v != Py_None ? PyUnicode_AsUTF8(v) : NULL;
}

static bool opt_int(PyObject *d, const char *key, int64_t *out)
{
    PyObject *v = PyDict_GetItemString(d, key);
    if (!v || v == Py_None)
        return true;
    long long x = PyLong_AsLongLong(v);
    if (x == -1 && PyErr_Occurred())
        return false;
    *out = x;
    return true;
}

static int opt_bool(PyObject *d, const char *key, int dflt)
{
    PyObject *v = PyDict_GetItemString(d, key);
    return v && v != Py_None ? PyObject_IsTrue(v) : dflt;
}

/* pipeline(options dict) -> result dict; options already validated and
 * defaulted by tokalign.pipeline(); dump_path is required here. */
static PyObject *py_pipeline(PyObject *mod, PyObject *args)
{
    PyObject *d;
    if (!PyArg_ParseTuple(args, "O!", &PyDict_Type, &d))
        return NULL;
    const char *flavor = opt_str(d, "flavor");
    tka_flavor fl = flavor && strcmp(flavor, "paddle") == 0 ? TKA_FLAVOR_PADDLE : TKA_FLAVOR_TORCH;
    tka_pipeline_options o;
    tka_pipeline_options_init(&o, fl);
    o.data_path = opt_str(d, "data");
    o.tokenizer = opt_str(d, "tokenizer");
    o.dump_path = opt_str(d, "dump_path");
    if (!o.data_path || !o.tokenizer || !o.dump_path) {
        PyErr_SetString(PyExc_ValueError, "pipeline needs data, tokenizer and dump_path");
        return NULL;
    }
    if (opt_str(d, "text_field"))
        o.dataset.text_field = opt_str(d, "text_field");
    o.dataset.pair_field = opt_str(d, "pair_field");
    PyObject *lab = PyDict_GetItemString(d, "label_field");
    if (lab == Py_False)
        o.dataset.label_field = NULL;
    else if (opt_str(d, "label_field"))
        o.dataset.label_field = opt_str(d, "label_field");
    const char *mode = opt_str(d, "mode");
    if (mode && strcmp(mode, "glue") == 0)
        o.dataset.tsv.mode = TKA_TSV_GLUE;
    const char *errors = opt_str(d, "errors");
    if (errors && strcmp(errors, "replace") == 0)
        o.dataset.tsv.utf8_errors = TKA_UTF8_REPLACE;
    const char *compat = opt_str(d, "compat");
    if (compat && strcmp(compat, "fast") == 0)
        o.tokenizer_options.compat = TKA_COMPAT_FAST;
    o.tokenizer_options.mirror_dir = opt_str(d, "mirror");
    /* unset keys keep tka_pipeline_options_init's defaults */
    int64_t lower = o.tokenizer_options.do_lower_case, pad_id = o.pad_id, threads = o.threads;
    const char *sampler = opt_str(d, "sampler");
    if (sampler) {
        o.sampler.kind = strcmp(sampler, "random") == 0        ? TKA_SAMPLER_RANDOM
                         : strcmp(sampler, "distributed") == 0 ? TKA_SAMPLER_DISTRIBUTED
                                                               : TKA_SAMPLER_SEQUENTIAL;
        tka_sampler_spec_init(&o.sampler, fl, o.sampler.kind);
    }
    PyObject *seed = PyDict_GetItemString(d, "seed");
    if (seed && seed != Py_None) {
        o.sampler.has_seed = true;
        if (!opt_int(d, "seed", &o.sampler.seed))
            return NULL;
    }
    PyObject *sh = PyDict_GetItemString(d, "shuffle");
    if (sh && sh != Py_None)
        o.sampler.shuffle = PyObject_IsTrue(sh);
    o.sampler.drop_last = opt_bool(d, "drop_last", o.sampler.drop_last);
    if (!opt_int(d, "do_lower_case", &lower) || !opt_int(d, "batch_size", &o.batch_size) ||
        !opt_int(d, "max_length", &o.max_length) ||
        !opt_int(d, "pad_to_multiple_of", &o.pad_to_multiple_of) ||
        !opt_int(d, "pad_id", &pad_id) || !opt_int(d, "num_batches", &o.num_batches) ||
        !opt_int(d, "threads", &threads) || !opt_int(d, "rank", &o.sampler.rank) ||
        !opt_int(d, "world_size", &o.sampler.num_replicas) ||
        !opt_int(d, "epoch", &o.sampler.epoch))
        return NULL;
    o.tokenizer_options.do_lower_case = (int)lower;
    o.pad_id = (int32_t)pad_id;
    o.pad_token = opt_str(d, "pad_token");
    o.threads = (int)threads;
    o.write_sidecar = opt_bool(d, "sidecar", o.write_sidecar);
    o.sidecar_entries = opt_bool(d, "sidecar_entries", o.sidecar_entries);
    o.two_pass = opt_bool(d, "two_pass", o.two_pass);
    int64_t items[4096];
    PyObject *di = PyDict_GetItemString(d, "dataset_items");
    if (di && di != Py_None) {
        PyObject *seq = PySequence_Fast(di, "dataset_items must be a sequence of int");
        if (!seq)
            return NULL;
        Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
        if (m > 4096) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_ValueError, "at most 4096 dataset_items");
            return NULL;
        }
        for (Py_ssize_t i = 0; i < m; i++)
            items[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        Py_DECREF(seq);
        if (PyErr_Occurred())
            return NULL;
        o.dataset_items = items;
        o.num_dataset_items = (size_t)m;
    }
    PyObject *fields = PyDict_GetItemString(d, "fields");
    if (fields && fields != Py_None) {
        PyObject *seq = PySequence_Fast(fields, "fields must be a sequence of str");
        if (!seq)
            return NULL;
        Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
        if (m >= TKA_PIPELINE_MAX_FIELDS + 1) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_ValueError, "too many fields");
            return NULL;
        }
        for (Py_ssize_t i = 0; i < m; i++)
            o.fields[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));
        if (m < TKA_PIPELINE_MAX_FIELDS)
            o.fields[m] = NULL;
        Py_DECREF(seq);
        if (PyErr_Occurred())
            return NULL;
    }
    tka_pipeline_result res;
    tka_buf warnings = {0};
    tka_error err;
    tka_status st;
    Py_BEGIN_ALLOW_THREADS st = tka_pipeline_run(&o, &res, &warnings, &err);
    Py_END_ALLOW_THREADS PyObject *w = PyUnicode_DecodeUTF8(warnings.data ? warnings.data : "",
                                                            (Py_ssize_t)warnings.len, "replace");
    tka_buf_free(&warnings);
    if (st != TKA_OK) {
        Py_XDECREF(w);
        return raise_tka(&err);
    }
    return Py_BuildValue("{s:K,s:K,s:K,s:n,s:n,s:n,s:d,s:N}", "rows", (unsigned long long)res.rows,
                         "bytes", (unsigned long long)res.bytes, "tokens",
                         (unsigned long long)res.tokens, "batches", (Py_ssize_t)res.batches,
                         "batches_logged", (Py_ssize_t)res.batches_logged, "keys",
                         (Py_ssize_t)res.keys, "seconds", res.seconds, "warnings", w);
}

static PyObject *py_version(PyObject *mod, PyObject *unused)
{
#if defined(TKA_VERSION_MAJOR)
    return PyUnicode_FromString(tka_version());
#else
    return PyUnicode_FromString(TOKALIGN_PY_VERSION);
#endif
}

static PyMethodDef module_methods[] = {
    {"load", py_load, METH_VARARGS, "load(path) -> (kind, items, meta)"},
    {"reprod_bytes", py_reprod_bytes, METH_VARARGS, "numpy.save bytes of a dict"},
    {"dump_write", py_dump_write, METH_VARARGS, "write a dump (.npy/.npz/.json)"},
    {"diff", py_diff, METH_VARARGS, "ReprodDiffHelper compare_info + report"},
    {"report_prefix", py_report_prefix, METH_VARARGS, "logging prefix for a time"},
    {"batch_order", (PyCFunction)(void (*)(void))py_batch_order, METH_VARARGS | METH_KEYWORDS,
     "sampler batches"},
    {"pipeline", py_pipeline, METH_VARARGS, "run the step-2 pipeline"},
    {"version", py_version, METH_NOARGS, "library version"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT,
                                        "_tokalign",
                                        "tokalign's C library, bound for Python.",
                                        -1,
                                        module_methods,
                                        NULL,
                                        NULL,
                                        NULL,
                                        NULL};

PyMODINIT_FUNC PyInit__tokalign(void);
PyMODINIT_FUNC PyInit__tokalign(void)
{
    import_array();
    if (PyType_Ready(&TokenizerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    TkaError = PyErr_NewException("tokalign._tokalign.Error", PyExc_RuntimeError, NULL);
    Py_INCREF(&TokenizerType);
    /* A reference text the package raises itself (_hf.py): the library's one copy. */
    const char *no_pad = tka_ref_message(TKA_REF_NO_PAD_TOKEN);
    if (PyModule_AddObject(m, "Tokenizer", (PyObject *)&TokenizerType) < 0 ||
        PyModule_AddObject(m, "Error", TkaError) < 0 ||
        PyModule_AddStringConstant(m, "HF_NO_PAD_TOKEN", no_pad) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
