/* tokalign side of the SentencePiece benchmark: tka_tokenize every line of a
 * corpus to ids through the public C API, single thread.
 *   tka_bench MODEL CORPUS MIN_SECONDS  ->  "<MB/s> <lines> <bytes> <checksum>" */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tokalign/tokenizer.h"

/* Process CPU time: robust when the machine is shared (equals wall time on
 * an idle machine for this single-threaded loop). */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: tka_bench MODEL CORPUS MIN_SECONDS\n");
        return 2;
    }
    tka_error err;
    tka_tokenizer *tok;
    if (tka_tokenizer_open(argv[1], NULL, &tok, &err) != TKA_OK) {
        fprintf(stderr, "tka_bench: %s\n", err.message);
        return 1;
    }
    /* The corpus is read with stdio: a benchmark is a client of the public API only. */
    struct {
        char *data;
        size_t len;
    } all = {0};
    FILE *corpus = fopen(argv[2], "rb");
    if (!corpus || fseek(corpus, 0, SEEK_END) != 0) {
        fprintf(stderr, "tka_bench: cannot read %s\n", argv[2]);
        return 1;
    }
    long corpus_size = ftell(corpus);
    rewind(corpus);
    all.data = malloc(corpus_size > 0 ? (size_t)corpus_size : 1);
    if (corpus_size < 0 || !all.data ||
        fread(all.data, 1, (size_t)corpus_size, corpus) != (size_t)corpus_size) {
        fprintf(stderr, "tka_bench: cannot read %s\n", argv[2]);
        return 1;
    }
    all.len = (size_t)corpus_size;
    fclose(corpus);
    /* Lines as the goldens define them: split on \n, a trailing \r dropped. */
    size_t n_lines = 0, cap = 1024, bytes = 0;
    const char **line = malloc(cap * sizeof *line);
    size_t *len = malloc(cap * sizeof *len);
    for (size_t start = 0; start < all.len;) {
        const char *nl = memchr(all.data + start, '\n', all.len - start);
        size_t end = nl ? (size_t)(nl - all.data) : all.len;
        size_t l = end - start;
        if (l && all.data[start + l - 1] == '\r')
            l--;
        if (n_lines == cap) {
            cap *= 2;
            line = realloc(line, cap * sizeof *line);
            len = realloc(len, cap * sizeof *len);
        }
        line[n_lines] = all.data + start;
        len[n_lines++] = l;
        bytes += l;
        start = end + 1;
    }
    double min_seconds = atof(argv[3]), best = 1e30;
    uint64_t checksum = 0;
    tka_tokens toks = {0};
    for (int pass = 0; pass < 3; pass++) {
        int reps = 0;
        double t0 = now(), elapsed;
        do {
            for (size_t i = 0; i < n_lines; i++) {
                if (tka_tokenize(tok, line[i], len[i], 0, &toks, &err) != TKA_OK) {
                    fprintf(stderr, "tka_bench: line %zu: %s\n", i + 1, err.message);
                    return 1;
                }
                if (pass == 0 && reps == 0)
                    for (size_t k = 0; k < toks.count; k++)
                        checksum = checksum * 1000003u + (uint64_t)toks.ids[k] + 1;
            }
            reps++;
            elapsed = now() - t0;
        } while (elapsed < min_seconds);
        if (elapsed / reps < best)
            best = elapsed / reps;
    }
    printf("%.2f %zu %zu %016llx\n", (double)bytes / best / 1e6, n_lines, bytes,
           (unsigned long long)checksum);
    tka_tokens_free(&toks);
    free(line);
    free(len);
    free(all.data);
    tka_tokenizer_free(tok);
    return 0;
}
