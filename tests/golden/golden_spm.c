/* Golden test: SentencePiece pieces and ids against libsentencepiece's
 * sp.encode output in golden/tokenize/spm.<model>.<set>.jsonl (every row,
 * every piece and id of the four models), and the real Reformer model
 * against golden/tokenize/reformer.<set>.jsonl: the model directory (and the
 * known name) as ReformerTokenizer.from_pretrained, the bare spiece.model as
 * plain sentencepiece (the rows' plain_pieces / plain_ids where they differ). */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "tokalign/tokenizer.h"

static const char *const models[] = {"bpe320_republic", "sentencepiece_test_model",
                                     "sentencepiece_test_ja_model", "cluecorpussmall_spm"};
static const char *const sets[] = {"botchan", "the_republic", "wagahaiwa",
                                   "demo",    "edge_cases",   "cjk_heavy"};

typedef struct ctx {
    const tka_tokenizer *tok;
    const char *file;
    bool plain; /* expect plain_pieces / plain_ids where a row has them */
    golden_tally tally;
    tka_tokens toks;
    bool broken;
} ctx;

static bool pieces_equal(const json_t *array, const tka_tokens *t)
{
    if (!json_is_array(array) || json_array_size(array) != t->count)
        return false;
    for (size_t i = 0; i < t->count; i++) {
        const json_t *v = json_array_get(array, i);
        if (!json_is_string(v) || json_string_length(v) != t->text_len[i] ||
            memcmp(json_string_value(v), t->text + t->text_start[i], t->text_len[i]) != 0)
            return false;
    }
    return true;
}

static bool check_row(json_t *row, size_t line, void *arg)
{
    ctx *c = arg;
    json_t *text = json_object_get(row, "text");
    json_t *pieces = json_object_get(row, "pieces");
    json_t *ids = json_object_get(row, "ids");
    if (c->plain && json_object_get(row, "plain_ids")) {
        pieces = json_object_get(row, "plain_pieces");
        ids = json_object_get(row, "plain_ids");
    }
    if (!json_is_string(text) || !json_is_array(pieces) || !json_is_array(ids)) {
        fprintf(stderr, "golden: %s:%zu: row lacks text/pieces/ids\n", c->file, line);
        c->broken = true;
        return false;
    }
    tka_error err;
    tka_status st = tka_tokenize(c->tok, json_string_value(text), json_string_length(text),
                                 TKA_TOKENS_STRINGS, &c->toks, &err);
    char what[1200];
    if (st != TKA_OK) {
        snprintf(what, sizeof what, "tokenize failed: %s", err.message);
        golden_record(&c->tally, false, c->file, line, what);
        return true;
    }
    bool ok_ids = golden_ids_equal(ids, c->toks.ids, c->toks.count);
    bool ok_pieces = pieces_equal(pieces, &c->toks);
    snprintf(what, sizeof what, "%s differ (%zu tokens produced, %zu expected)",
             !ok_ids && !ok_pieces ? "ids and pieces"
             : !ok_ids             ? "ids"
                                   : "pieces",
             c->toks.count, json_array_size(ids));
    golden_record(&c->tally, ok_ids && ok_pieces, c->file, line, what);
    return true;
}

/* Every reformer.<set>.jsonl row through the model directory, the known
 * name (found in the mirror) and the bare spiece.model. */
static bool check_reformer(const char *shared, size_t *checked, size_t *matched)
{
    static const char *const reformer_sets[] = {"special",      "edge_cases", "demo",     "botchan",
                                                "the_republic", "cjk_heavy",  "wagahaiwa"};
    char dir[4096], model[4200], mirror[4096];
    snprintf(dir, sizeof dir, "%s/data/spm/reformer-crime-and-punishment", shared);
    snprintf(model, sizeof model, "%s/spiece.model", dir);
    snprintf(mirror, sizeof mirror, "%s/data", shared);
    const struct {
        const char *spec, *how;
        bool plain;
    } ways[] = {{dir, "model directory", false},
                {"google/reformer-crime-and-punishment", "known name", false},
                {model, "bare spiece.model, plain", true}};
    bool ok = true;
    for (size_t w = 0; w < sizeof ways / sizeof *ways; w++) {
        tka_tokenizer_options o;
        tka_tokenizer_options_init(&o);
        o.mirror_dir = mirror;
        tka_tokenizer *tok = NULL;
        tka_error err;
        if (tka_tokenizer_open(ways[w].spec, &o, &tok, &err) != TKA_OK) {
            fprintf(stderr, "FAIL cannot open %s: %s\n", ways[w].spec, err.message);
            ok = false;
            continue;
        }
        if ((tka_tokenizer_no_split_tokens(tok, NULL) != 0) == ways[w].plain) {
            fprintf(stderr, "FAIL %s: never-split tokens %s\n", ways[w].spec,
                    ways[w].plain ? "present on a bare .model" : "missing");
            ok = false;
        }
        for (size_t si = 0; si < sizeof reformer_sets / sizeof *reformer_sets; si++) {
            char rel[512], label[600];
            snprintf(rel, sizeof rel, "golden/tokenize/reformer.%s.jsonl", reformer_sets[si]);
            snprintf(label, sizeof label, "reformer.%s (%s)", reformer_sets[si], ways[w].how);
            ctx c = {tok, rel, ways[w].plain, {0, 0, 0}, {0}, false};
            bool read_ok = golden_each_row(golden_path(shared, rel), check_row, &c);
            tka_tokens_free(&c.toks);
            ok &= golden_report(&c.tally, label) && read_ok && !c.broken;
            *checked += c.tally.checked;
            *matched += c.tally.matched;
        }
        tka_tokenizer_free(tok);
    }
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: golden_spm SHARED_DIR\n");
        return 2;
    }
    const char *shared = argv[1];
    bool all_ok = true;
    size_t total_checked = 0, total_matched = 0;
    for (size_t mi = 0; mi < sizeof models / sizeof *models; mi++) {
        char model_path[4096];
        snprintf(model_path, sizeof model_path, "%s/data/spm/%s.model", shared, models[mi]);
        tka_tokenizer *tok = NULL;
        tka_error err;
        if (tka_tokenizer_open(model_path, NULL, &tok, &err) != TKA_OK) {
            fprintf(stderr, "FAIL cannot open %s: %s\n", model_path, err.message);
            all_ok = false;
            continue;
        }
        for (size_t si = 0; si < sizeof sets / sizeof *sets; si++) {
            char rel[512], label[512];
            snprintf(rel, sizeof rel, "golden/tokenize/spm.%s.%s.jsonl", models[mi], sets[si]);
            snprintf(label, sizeof label, "spm.%s.%s", models[mi], sets[si]);
            ctx c = {tok, rel, false, {0, 0, 0}, {0}, false};
            bool read_ok = golden_each_row(golden_path(shared, rel), check_row, &c);
            tka_tokens_free(&c.toks);
            all_ok &= golden_report(&c.tally, label) && read_ok && !c.broken;
            total_checked += c.tally.checked;
            total_matched += c.tally.matched;
        }
        tka_tokenizer_free(tok);
    }
    all_ok &= check_reformer(shared, &total_checked, &total_matched);
    printf("%s golden spm (all files): checked %zu, matched %zu\n", all_ok ? "PASS" : "FAIL",
           total_checked, total_matched);
    return all_ok ? 0 : 1;
}
