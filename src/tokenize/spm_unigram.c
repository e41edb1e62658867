/* SentencePiece Unigram encoding: unigram::Model::EncodeOptimized, the
 * Viterbi best path computed byte position by byte position, with its exact
 * float/double arithmetic so that ties resolve as libsentencepiece's do. */
#include "tokenize/spm_model.h"

typedef struct uni_best {
    float score;   /* best path score ending here */
    int32_t start; /* where the last piece of that path starts, -1 if unset */
    int32_t id;
} uni_best;

tka_status spm_unigram_encode(const spm_model *m, const char *text, size_t len,
                              spm_scratch *scratch, spm_result **results, size_t *n_results,
                              tka_error *err)
{
    *n_results = 0;
    *results = NULL;
    if (len == 0)
        return TKA_OK;
    if (len > (size_t)INT32_MAX - 1)
        return tka_error_set(err, TKA_ERR_LIMIT, "normalized text of %zu bytes is too long", len);
    size_t bytes = len * sizeof(spm_result) + (len + 1) * sizeof(uni_best);
    if (!(*results = spm_scratch_get(scratch, bytes)))
        return tka_error_set(err, TKA_ERR_NOMEM, "out of memory encoding %zu bytes", len);
    spm_result *out = *results;
    uni_best *best = (uni_best *)(out + len);
    for (size_t i = 0; i <= len; i++)
        best[i] = (uni_best){0.0f, -1, -1};

    const tka_trie_node *nodes = m->pieces_trie.nodes;
    const int32_t *value = m->pieces_trie.value;
    const double *lattice_score = m->lattice_score;
    const float unk_score = m->unk_score;
    const bool has_unused = m->has_unused;
    const int32_t size = (int32_t)len;
    const unsigned char *u = (const unsigned char *)text;

    int32_t starts_at = 0;
    while (starts_at < size) {
        const float till_here = best[starts_at].score;
        int32_t mblen = (int32_t)spm_one_char_len(text + starts_at);
        if (mblen > size - starts_at)
            mblen = size - starts_at;
        bool has_single_node = false;
        int32_t node = 0;
        for (int32_t key_pos = starts_at; key_pos < size;) {
            int32_t next = nodes[node].base + u[key_pos];
            if (nodes[next].check != node)
                break;
            node = next;
            key_pos++;
            int32_t id = value[node];
            if (id < 0 || (has_unused && m->pieces[id].type == SPM_PIECE_UNUSED))
                continue;
            /* COMPAT: the candidate is computed and compared in double (the
             * user-defined bonus makes the score expression double) but
             * stored as float. */
            double candidate = lattice_score[id] + (double)till_here;
            uni_best *target = &best[key_pos];
            if (target->start == -1 || candidate > (double)target->score) {
                target->score = (float)candidate;
                target->start = starts_at;
                target->id = id;
            }
            if (key_pos - starts_at == mblen)
                has_single_node = true;
        }
        if (!has_single_node) {
            uni_best *target = &best[starts_at + mblen];
            const float candidate = unk_score + till_here; /* float arithmetic */
            if (target->start == -1 || candidate > target->score) {
                target->score = candidate;
                target->start = starts_at;
                target->id = m->unk_id;
            }
        }
        starts_at += mblen;
    }

    /* Backtrack from the end, then reverse in place. */
    size_t n = 0;
    for (int32_t ends_at = size; ends_at > 0;) {
        const uni_best *b = &best[ends_at];
        if (b->start < 0 || b->start >= ends_at)
            return tka_error_set(err, TKA_ERR_FORMAT,
                                 "%s: internal error: no Unigram path reaches byte %d", m->path,
                                 ends_at);
        out[n++] = (spm_result){(uint32_t)b->start, (uint32_t)(ends_at - b->start), b->id};
        ends_at = b->start;
    }
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        spm_result tmp = out[i];
        out[i] = out[j];
        out[j] = tmp;
    }
    *n_results = n;
    return TKA_OK;
}
