/* Runs the "model" (or "decoder") section of a tokenizer.json alone on a list of words, for
 * the differential test against the Rust tokenizer and for the model-only benchmark.
 *   tj_model_run TOKENIZER.json WORDS.jsonl            one JSON string per line; prints per
 *                                                      word {"ids":[...],"offsets":[[s,e]...]}
 *                                                      (offsets in code points)
 *   tj_model_run --decode TOKENIZER.json IDS.jsonl     one JSON list of ids per line; prints
 *                                                      the decoder's string as JSON
 *   tj_model_run --bench TOKENIZER.json WORDS.jsonl SECONDS   MB/s of the model alone */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tokenize/tj_decoder.h"
#include "tokenize/tj_model.h"

static void die(const char *what, const tka_error *err)
{
    fprintf(stderr, "tj_model_run: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

static json_t *load_json(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j) {
        fprintf(stderr, "tj_model_run: %s:%d: %s\n", path, je.line, je.text);
        exit(1);
    }
    return j;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be shared */
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Index of the code point holding byte b (the binding reports offsets so: a token covering
 * part of a character covers the whole character). */
static size_t cp_of(const char *s, size_t b)
{
    size_t c = 0;
    for (size_t i = 1; i <= b; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

int main(int argc, char **argv)
{
    int decode = argc > 1 && !strcmp(argv[1], "--decode");
    int bench = argc > 1 && !strcmp(argv[1], "--bench");
    if (argc < 3 + decode + bench + bench) {
        fprintf(stderr,
                "usage: tj_model_run [--decode|--bench] TOKENIZER.json INPUT.jsonl [SECONDS]\n");
        return 2;
    }
    const char *tj_path = argv[1 + decode + bench], *in_path = argv[2 + decode + bench];
    json_t *root = load_json(tj_path);
    tka_error err = {0};
    tj_model *m;
    if (tj_model_from_json(json_object_get(root, "model"), tj_path, &m, &err))
        die("model", &err);
    FILE *in = fopen(in_path, "r");
    if (!in)
        die(in_path, NULL);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    json_t *items = json_array();
    while ((got = getline(&line, &cap, in)) > 0) {
        json_error_t je;
        json_t *v = json_loadb(line, (size_t)got, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        if (!v) {
            fprintf(stderr, "tj_model_run: %s: %s\n", in_path, je.text);
            return 1;
        }
        json_array_append_new(items, v);
    }
    fclose(in);
    free(line);
    tj_work *w = tj_work_new();
    tj_pieces p = {0};
    if (decode) {
        tj_decoder *d;
        if (tj_decoder_from_json(json_object_get(root, "decoder"), tj_path, &d, &err))
            die("decoder", &err);
        size_t i;
        json_t *ids;
        json_array_foreach(items, i, ids)
        {
            size_t n = json_array_size(ids);
            const char **toks = malloc((n + 1) * sizeof *toks);
            size_t *lens = malloc((n + 1) * sizeof *lens);
            for (size_t k = 0; k < n; k++) {
                toks[k] = tj_model_id_to_token(
                    m, (int32_t)json_integer_value(json_array_get(ids, k)), &lens[k]);
                if (!toks[k])
                    toks[k] = "", lens[k] = 0;
            }
            tka_buf out = {0};
            if (tj_decoder_decode(d, toks, lens, n, &out, &err))
                printf("{\"error\":\"%s\"}\n", err.message);
            else {
                json_t *s = json_stringn(out.data ? out.data : "", out.len);
                char *txt = json_dumps(s, JSON_ENCODE_ANY);
                printf("%s\n", txt);
                free(txt);
                json_decref(s);
            }
            tka_buf_free(&out);
            free(toks);
            free(lens);
        }
        tj_decoder_free(d);
    } else if (bench) {
        double seconds = atof(argv[4]);
        /* the words back to back, as a pipeline hands them over (not scattered JSON nodes) */
        size_t nw = json_array_size(items), total = 0;
        for (size_t i = 0; i < nw; i++)
            total += json_string_length(json_array_get(items, i));
        char *text = malloc(total + 1);
        size_t *off = malloc((nw + 1) * sizeof *off);
        off[0] = 0;
        for (size_t i = 0; i < nw; i++) {
            const json_t *v = json_array_get(items, i);
            memcpy(text + off[i], json_string_value(v), json_string_length(v));
            off[i + 1] = off[i] + json_string_length(v);
        }
        size_t rounds = 0, tokens = 0;
        double t0 = now(), t1;
        do {
            for (size_t i = 0; i < nw; i++) {
                p.count = 0;
                if (tj_model_tokenize(m, w, text + off[i], off[i + 1] - off[i], &p, &err))
                    die("tokenize", &err);
                tokens += p.count;
            }
            rounds++;
            t1 = now();
        } while (t1 - t0 < seconds);
        printf("%.2f MB/s  (%zu rounds, %zu tokens, %.2f s CPU)\n",
               (double)total * rounds / (t1 - t0) / 1e6, rounds, tokens, t1 - t0);
        free(text);
        free(off);
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(items, i, v)
        {
            const char *s = json_string_value(v);
            p.count = 0;
            if (tj_model_tokenize(m, w, s, json_string_length(v), &p, &err)) {
                json_t *e = json_pack("{s:s}", "error", err.message);
                char *txt = json_dumps(e, 0);
                printf("%s\n", txt);
                free(txt);
                json_decref(e);
                continue;
            }
            printf("{\"ids\":[");
            for (size_t k = 0; k < p.count; k++)
                printf("%s%d", k ? "," : "", p.items[k].id);
            printf("],\"offsets\":[");
            for (size_t k = 0; k < p.count; k++)
                printf("%s[%zu,%zu]", k ? "," : "", cp_of(s, p.items[k].start),
                       p.items[k].end ? cp_of(s, p.items[k].end - 1) + 1 : 0);
            printf("]}\n");
        }
    }
    tj_pieces_free(&p);
    tj_work_free(w);
    tj_model_free(m);
    json_decref(items);
    json_decref(root);
    return 0;
}
