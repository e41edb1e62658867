/* Unit tests of tokenizer-file resolution: paths, hub cache, PaddleNLP cache, mirror, hashes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokalign/resolve.h"

static char root[256];

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    fputs(text, f);
    fclose(f);
}

static const char *at(const char *rel)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", root, rel);
    return buf[k];
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/tka_resolve_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    cr_assert_not_null(mkdtemp(root));
    mkdir(at("hub"), 0755);
    mkdir(at("hub/models--org--tiny"), 0755);
    mkdir(at("hub/models--org--tiny/refs"), 0755);
    mkdir(at("hub/models--org--tiny/snapshots"), 0755);
    mkdir(at("hub/models--org--tiny/snapshots/aaa"), 0755);
    mkdir(at("hub/models--org--tiny/snapshots/bbb"), 0755);
    write_text(at("hub/models--org--tiny/refs/main"), "bbb\n");
    write_text(at("hub/models--org--tiny/snapshots/aaa/vocab.txt"), "[PAD]\nold\n");
    write_text(at("hub/models--org--tiny/snapshots/bbb/vocab.txt"), "[PAD]\nnew\n");
    mkdir(at("paddle"), 0755);
    mkdir(at("paddle/models"), 0755);
    mkdir(at("paddle/models/bert-base-cased"), 0755);
    write_text(at("paddle/models/bert-base-cased/bert-base-cased-vocab.txt"),
               "[PAD]\nnot the real one\n");
    mkdir(at("dir_spm"), 0755);
    write_text(at("dir_spm/spiece.model"), "\x0a\x05\x0a\x01x\x15");
    setenv("HF_HUB_CACHE", at("hub"), 1);
    setenv("PPNLP_HOME", at("paddle"), 1);
    setenv("TOKALIGN_CACHE", at("no-cache"), 1); /* isolate from the user's downloads */
}

static void teardown(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(resolve, .init = setup, .fini = teardown);

Test(resolve, hub_cache_follows_refs_main)
{
    tka_resolved r;
    tka_error err;
    cr_assert_eq(tka_resolve("org/tiny", "/nonexistent", &r, NULL, &err), TKA_OK, "%s",
                 err.message);
    cr_assert(strstr(r.file, "snapshots/bbb/vocab.txt") != NULL, "%s", r.file);
    cr_assert_str_eq(r.origin, "hf-cache");
    cr_assert_eq(r.kind, TKA_TOKENIZER_WORDPIECE);
    cr_assert_null(r.known);
    tka_resolved_free(&r);
}

Test(resolve, paddlenlp_cache_with_hash_mismatch_warning)
{
    tka_resolved r;
    tka_buf warnings = {0};
    cr_assert_eq(tka_resolve("bert-base-cased", "/nonexistent", &r, &warnings, NULL), TKA_OK);
    cr_assert_str_eq(r.origin, "paddlenlp-cache");
    cr_assert_not_null(r.known);
    cr_assert_str_eq(r.known->name, "bert-base-cased");
    cr_assert_not_null(warnings.data);
    /* the warning names both hashes */
    cr_assert(strstr(warnings.data, r.sha256) != NULL, "%s", warnings.data);
    cr_assert(strstr(warnings.data, r.known->sha256) != NULL, "%s", warnings.data);
    tka_resolved_free(&r);
    tka_buf_free(&warnings);
}

Test(resolve, mirror_and_known_hash)
{
    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared, "TKA_SHARED must point at the shared directory");
    char mirror[512];
    snprintf(mirror, sizeof mirror, "%s/data", shared);
    tka_resolved r;
    tka_buf warnings = {0};
    tka_error err;
    cr_assert_eq(tka_resolve("bert-base-uncased", mirror, &r, &warnings, &err), TKA_OK, "%s",
                 err.message);
    cr_assert_str_eq(r.origin, "mirror");
    cr_assert_str_eq(r.sha256, r.known->sha256);
    cr_assert_eq(warnings.len, 0, "unexpected warning: %s", warnings.data);
    cr_assert_eq(r.known->do_lower_case, 1);
    tka_resolved_free(&r);
    cr_assert_eq(tka_resolve("bpe320_republic", mirror, &r, NULL, &err), TKA_OK, "%s", err.message);
    cr_assert_eq(r.kind, TKA_TOKENIZER_SENTENCEPIECE);
    cr_assert_str_eq(r.sha256, r.known->sha256);
    tka_resolved_free(&r);
    /* an explicit path to a known file is recognised by its hash */
    char path[600];
    snprintf(path, sizeof path, "%s/vocab/bert-base-chinese/vocab.txt", mirror);
    cr_assert_eq(tka_resolve(path, NULL, &r, NULL, &err), TKA_OK, "%s", err.message);
    cr_assert_str_eq(r.origin, "path");
    cr_assert_not_null(r.known);
    cr_assert_str_eq(r.known->name, "bert-base-chinese");
    tka_resolved_free(&r);
    tka_buf_free(&warnings);
}

Test(resolve, directories_and_sniffing)
{
    tka_resolved r;
    cr_assert_eq(tka_resolve(at("dir_spm"), NULL, &r, NULL, NULL), TKA_OK);
    cr_assert_eq(r.kind, TKA_TOKENIZER_SENTENCEPIECE);
    tka_resolved_free(&r);
    /* a protobuf file without the .model extension is still SentencePiece */
    rename(at("dir_spm/spiece.model"), at("dir_spm/model.bin"));
    cr_assert_eq(tka_resolve(at("dir_spm/model.bin"), NULL, &r, NULL, NULL), TKA_OK);
    cr_assert_eq(r.kind, TKA_TOKENIZER_SENTENCEPIECE);
    tka_resolved_free(&r);
}

Test(resolve, not_found_is_a_clear_error)
{
    tka_resolved r;
    tka_error err;
    cr_assert_eq(tka_resolve("no-such-model", "/nonexistent", &r, NULL, &err), TKA_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "no-such-model") != NULL);
    cr_assert_eq(tka_resolve("./missing/vocab.txt", NULL, &r, NULL, &err), TKA_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "missing/vocab.txt") != NULL);
    cr_assert_eq(tka_resolve(at("paddle"), NULL, &r, NULL, &err), TKA_ERR_NOT_FOUND);
    cr_assert_eq(tka_resolve("", NULL, &r, NULL, &err), TKA_ERR_ARGUMENT);
}

Test(resolve, tokalign_download_cache)
{
    mkdir(at("fetched"), 0755);
    mkdir(at("fetched/bert-base-uncased"), 0755);
    write_text(at("fetched/bert-base-uncased/vocab.txt"), "[PAD]\nx\n");
    setenv("TOKALIGN_CACHE", at("fetched"), 1);
    tka_resolved r;
    tka_buf warnings = {0};
    /* not the real vocabulary of a known name: never used, with a warning */
    cr_assert_eq(tka_resolve("bert-base-uncased", "/nonexistent", &r, &warnings, NULL),
                 TKA_ERR_NOT_FOUND);
    cr_assert_not_null(warnings.data);
    cr_assert(strstr(warnings.data, "ignoring") != NULL, "%s", warnings.data);
    tka_buf_free(&warnings);
    /* a name tokalign has no hash for is used from the cache as it is */
    mkdir(at("fetched/my-org"), 0755);
    mkdir(at("fetched/my-org/custom"), 0755);
    write_text(at("fetched/my-org/custom/vocab.txt"), "[PAD]\nx\n");
    cr_assert_eq(tka_resolve("my-org/custom", "/nonexistent", &r, NULL, NULL), TKA_OK);
    cr_assert_str_eq(r.origin, "tokalign-cache");
    tka_resolved_free(&r);
    /* names cannot climb out of the cache */
    tka_error err;
    cr_assert_eq(tka_resolve("my-org/../../etc", "/nonexistent", &r, NULL, &err), TKA_ERR_ARGUMENT);
    cr_assert(strstr(err.message, "not a model name") != NULL, "%s", err.message);
}

/* A Reformer model is a directory whose config.json says "model_type": "reformer", or the
 * known name; the bare .model (even the same file) is plain SentencePiece. */
Test(resolve, reformer_models)
{
    tka_resolved r;
    tka_error err;
    cr_assert_eq(tka_resolve(at("dir_spm"), NULL, &r, NULL, &err), TKA_OK, "%s", err.message);
    cr_assert(!r.reformer, "no config.json: not a Reformer model");
    tka_resolved_free(&r);
    write_text(at("dir_spm/config.json"), "{\"architectures\": [\"ReformerModelWithLMHead\"],\n"
                                          " \"model_type\": \"reformer\"}\n");
    cr_assert_eq(tka_resolve(at("dir_spm"), NULL, &r, NULL, &err), TKA_OK, "%s", err.message);
    cr_assert(r.reformer);
    tka_resolved_free(&r);
    cr_assert_eq(tka_resolve(at("dir_spm/spiece.model"), NULL, &r, NULL, &err), TKA_OK);
    cr_assert(!r.reformer, "a bare .model stays plain sentencepiece");
    tka_resolved_free(&r);
    write_text(at("dir_spm/config.json"), "{\"model_type\": \"t5\"}");
    cr_assert_eq(tka_resolve(at("dir_spm"), NULL, &r, NULL, &err), TKA_OK);
    cr_assert(!r.reformer);
    tka_resolved_free(&r);
    write_text(at("dir_spm/config.json"), "{\"model_type\":\n \"reformer\",,}");
    cr_assert_eq(tka_resolve(at("dir_spm"), NULL, &r, NULL, &err), TKA_ERR_FORMAT);
    cr_assert(strstr(err.message, "dir_spm/config.json: line 2, column ") != NULL, "%s",
              err.message);

    const char *shared = getenv("TKA_SHARED");
    cr_assert_not_null(shared);
    char mirror[512], model[700];
    snprintf(mirror, sizeof mirror, "%s/data", shared);
    cr_assert_eq(tka_resolve("google/reformer-crime-and-punishment", mirror, &r, NULL, &err),
                 TKA_OK, "%s", err.message);
    cr_assert(r.reformer);
    cr_assert_str_eq(r.origin, "mirror");
    cr_assert_str_eq(r.sha256, "14478412faa9cfe39a1a77ddf447f2466ae5eabc3d389d73e2444cf47001e260");
    tka_resolved_free(&r);
    snprintf(model, sizeof model, "%s/spm/reformer-crime-and-punishment/spiece.model", mirror);
    cr_assert_eq(tka_resolve(model, NULL, &r, NULL, &err), TKA_OK, "%s", err.message);
    cr_assert(!r.reformer);
    cr_assert_str_eq(r.known->name, "google/reformer-crime-and-punishment"); /* by hash */
    tka_resolved_free(&r);
}
