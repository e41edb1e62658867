/* Never-split special tokens: PreTrainedTokenizer.tokenize of transformers 4.9.1 for a Reformer model. */
#include <string.h>

#include "core/utf8.h"
#include "tokenize/backend.h"

/* COMPAT: ReformerTokenizer.from_pretrained (transformers 4.9.1) ends with
 * sanitize_special_tokens() -> _add_tokens(all_special_tokens, special_tokens=True),
 * which puts the special tokens it has, eos "</s>" and unk "<unk>" (no pad,
 * no bos), into unique_no_split_tokens, kept sorted. The bare constructor
 * leaves the list empty, hence a bare .model stays plain SentencePiece. The
 * ids are convert_tokens_to_ids': sp.piece_to_id, the unknown id when the
 * model lacks the piece. */
void tka_no_split_init_reformer(tka_tokenizer *tok)
{
    static const char *const tokens[] = {"</s>", "<unk>"};
    int32_t unk = tok->backend->special_id(tok->model, TKA_SPECIAL_UNK);
    for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++) {
        int32_t id = tok->backend->token_to_id(tok->model, tokens[i], strlen(tokens[i]));
        tok->no_split[i] = tokens[i];
        tok->no_split_id[i] = id >= 0 ? id : unk;
    }
    tok->n_no_split = sizeof tokens / sizeof *tokens;
}

/* First byte at or after i that is not Python whitespace. */
static size_t skip_space(const char *text, size_t i, size_t end)
{
    const uint8_t *s = (const uint8_t *)text;
    while (i < end) {
        size_t next = i;
        if (!tka_py_isspace(tka_utf8_decode(s, &next)))
            break;
        i = next;
    }
    return i;
}

/* End of text[start, end) with trailing Python whitespace removed. */
static size_t trim_space(const char *text, size_t start, size_t end)
{
    const uint8_t *s = (const uint8_t *)text;
    while (end > start) {
        size_t lead = end - 1;
        while (lead > start && (s[lead] & 0xC0) == 0x80)
            lead--;
        size_t next = lead;
        if (!tka_py_isspace(tka_utf8_decode(s, &next)))
            break;
        end = lead;
    }
    return end;
}

/* Code points in text[from, to). */
static uint32_t code_points(const char *text, size_t from, size_t to)
{
    uint32_t n = 0;
    for (size_t i = from; i < to; i++)
        n += ((uint8_t)text[i] & 0xC0) != 0x80;
    return n;
}

/* The never-split token starting at text[i], or -1. */
static int token_at(const tka_tokenizer *tok, const char *text, size_t i, size_t len)
{
    for (size_t t = 0; t < tok->n_no_split; t++) {
        size_t n = strlen(tok->no_split[t]);
        if (n <= len - i && memcmp(text + i, tok->no_split[t], n) == 0)
            return (int)t;
    }
    return -1;
}

/* Tokenizes text[start, end) with the model alone, offsets shifted to the
 * whole text. */
static tka_status tokenize_piece(const tka_tokenizer *tok, const char *text, size_t start,
                                 size_t end, uint32_t cp_start, unsigned flags, tka_tokens *out,
                                 tka_error *err)
{
    size_t first = out->count;
    tka_status st = tok->backend->tokenize(tok->model, text + start, end - start, flags, out, err);
    if (st == TKA_OK && (flags & TKA_TOKENS_OFFSETS))
        for (size_t k = first; k < out->count; k++) {
            out->starts[k] += cp_start;
            out->ends[k] += cp_start;
        }
    return st;
}

/* COMPAT: tokenize() -> split_on_tokens: a text that is only whitespace
 * (not text.strip()) gives []; otherwise the text is split on each
 * no-split token in turn (str.split, so non-overlapping, left to right),
 * every piece before a token is rstripped and every piece after one is
 * lstripped (the tokens are plain strings, not AddedToken, so both sides
 * are stripped), empty pieces are dropped, and _tokenize (sp.encode) runs
 * on each remaining piece. "</s>" and "<unk>" cannot overlap (no suffix
 * of one is a prefix of the other), so one left-to-right scan for either
 * cuts and strips exactly as the per-token passes do. */
tka_status tka_tokenize_no_split(const tka_tokenizer *tok, const char *text, size_t len,
                                 unsigned flags, tka_tokens *out, tka_error *err)
{
    if (skip_space(text, 0, len) == len)
        return TKA_OK;
    size_t seg = 0;      /* start of the current text piece */
    uint32_t seg_cp = 0; /* its code-point offset */
    bool after_token = false;
    size_t i = 0;
    tka_status st = TKA_OK;
    while (st == TKA_OK && i < len) {
        const char *lt = memchr(text + i, '<', len - i);
        if (!lt)
            break;
        i = (size_t)(lt - text);
        int t = token_at(tok, text, i, len);
        if (t < 0) {
            i++;
            continue;
        }
        size_t start = after_token ? skip_space(text, seg, i) : seg;
        size_t end = trim_space(text, start, i);
        uint32_t cp_i = seg_cp + code_points(text, seg, i);
        if (end > start)
            st = tokenize_piece(tok, text, start, end, seg_cp + code_points(text, seg, start),
                                flags, out, err);
        size_t n = strlen(tok->no_split[t]);
        if (st == TKA_OK && (tka_tokens_reserve(out, 1, flags) != TKA_OK ||
                             tka_tokens_push(out, flags, tok->no_split_id[t], cp_i,
                                             cp_i + (uint32_t)n, tok->no_split[t], n) != TKA_OK))
            st = tka_error_set(err, TKA_ERR_NOMEM, "out of memory tokenizing");
        i += n;
        seg = i;
        seg_cp = cp_i + (uint32_t)n;
        after_token = true;
    }
    if (st != TKA_OK)
        return st;
    size_t start = after_token ? skip_space(text, seg, len) : seg;
    if (start < len)
        st = tokenize_piece(tok, text, start, len, seg_cp + code_points(text, seg, start), flags,
                            out, err);
    return st;
}
