/* tokalign example: tokenize a text, then encode a (text, pair) as
 * BertTokenizer(text, text_pair) does, through the installed library.
 *   usage: pair TOKENIZER TEXT PAIR
 * TOKENIZER is a vocab.txt / .model file, a directory, or a model name. */
#include <stdio.h>
#include <string.h>

#include <tokalign/tokalign.h>

static void print_ids(const char *name, const int32_t *ids, size_t n)
{
    printf("%s:", name);
    for (size_t i = 0; i < n; i++)
        printf(" %d", (int)ids[i]);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s TOKENIZER TEXT PAIR\n", argv[0]);
        return 2;
    }
    const char *text = argv[2], *pair = argv[3];
    printf("tokalign %s\n", tka_version());

    tka_error err;
    tka_tokenizer *tok = NULL;
    if (tka_tokenizer_open(argv[1], NULL, &tok, &err) != TKA_OK) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }

    /* Tokens without special tokens; the tka_tokens storage is reusable. */
    tka_tokens tokens = {0};
    if (tka_tokenize(tok, text, strlen(text), TKA_TOKENS_STRINGS, &tokens, &err) != TKA_OK) {
        fprintf(stderr, "error: %s\n", err.message);
        tka_tokenizer_free(tok);
        return 1;
    }
    printf("tokens:");
    for (size_t i = 0; i < tokens.count; i++)
        printf(" %.*s", (int)tokens.text_len[i], tokens.text + tokens.text_start[i]);
    printf("\n");
    print_ids("ids", tokens.ids, tokens.count);
    tka_tokens_free(&tokens);

    /* The pair with special tokens, truncated to 16 like max_length=16. */
    tka_encode_options options;
    tka_encode_options_init(&options);
    options.max_length = 16;
    tka_encode_options_apply_hf_defaults(&options);
    tka_arena *arena = tka_arena_new(0);
    tka_encoding enc;
    int rc = 0;
    if (!arena) {
        fprintf(stderr, "error: out of memory\n");
        rc = 1;
    } else if (tka_encode(tok, &options, text, strlen(text), pair, strlen(pair), arena, &enc,
                          &err) != TKA_OK) {
        fprintf(stderr, "error: %s\n", err.message);
        rc = 1;
    } else {
        print_ids("input_ids", enc.input_ids, enc.length);
        if (enc.token_type_ids)
            print_ids("token_type_ids", enc.token_type_ids, enc.length);
        print_ids("attention_mask", enc.attention_mask, enc.length);
    }
    tka_arena_free(arena);
    tka_tokenizer_free(tok);
    return rc;
}
