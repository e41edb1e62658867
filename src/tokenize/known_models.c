/* The model names tokalign recognises, with their defaults and file hashes. */
#include <string.h>

#include "tokalign/resolve.h"

#define SHA_UNCASED "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
#define SHA_CASED "eeaa9875b23b04b4c54ef759d03db9d1ba1554838f8fb26c5d96fa551df93d02"
#define SHA_CHINESE "45bbac6b341c319adc98a532532882e91a9cefc0329aa57bac9ae761c27b291c"

/* do_lower_case follows what from_pretrained gives: HF's tokenizer_config.json
 * (or PaddleNLP's pretrained_init_configuration for the Paddle names). The
 * Chinese whole-word-masking models ship bert-base-chinese's vocabulary. */
static const tka_known_model known[] = {
    {"bert-base-uncased", TKA_TOKENIZER_WORDPIECE, 1, "vocab.txt", SHA_UNCASED,
     "vocab/bert-base-uncased/vocab.txt", "bert-base-uncased", NULL, NULL},
    {"bert-base-cased", TKA_TOKENIZER_WORDPIECE, 0, "vocab.txt", SHA_CASED,
     "vocab/bert-base-cased/vocab.txt", "bert-base-cased", NULL, NULL},
    {"bert-base-chinese", TKA_TOKENIZER_WORDPIECE, 0, "vocab.txt", SHA_CHINESE,
     "vocab/bert-base-chinese/vocab.txt", "bert-base-chinese", NULL, NULL},
    /* HF hub names: their tokenizer_config.json sets no do_lower_case, so
     * BertTokenizer's default (True) applies; a config file in the cache wins. */
    {"hfl/chinese-bert-wwm", TKA_TOKENIZER_WORDPIECE, 1, "vocab.txt", SHA_CHINESE,
     "vocab/bert-base-chinese/vocab.txt", "hfl/chinese-bert-wwm", "bert-base-chinese", NULL},
    {"hfl/chinese-bert-wwm-ext", TKA_TOKENIZER_WORDPIECE, 1, "vocab.txt", SHA_CHINESE,
     "vocab/bert-base-chinese/vocab.txt", "hfl/chinese-bert-wwm-ext", "bert-base-chinese", NULL},
    /* PaddleNLP names (pretrained_init_configuration: do_lower_case False). */
    {"bert-wwm-chinese", TKA_TOKENIZER_WORDPIECE, 0, "vocab.txt", SHA_CHINESE,
     "vocab/bert-base-chinese/vocab.txt", NULL, "bert-base-chinese", NULL},
    {"bert-wwm-ext-chinese", TKA_TOKENIZER_WORDPIECE, 0, "vocab.txt", SHA_CHINESE,
     "vocab/bert-base-chinese/vocab.txt", NULL, "bert-base-chinese", NULL},
    /* The real HuggingFace Reformer model (spiece.model + config.json as the hub lays
     * them out): from_pretrained's behaviour, </s> and <unk> never split. */
    {"google/reformer-crime-and-punishment", TKA_TOKENIZER_SENTENCEPIECE, -1, "spiece.model",
     "14478412faa9cfe39a1a77ddf447f2466ae5eabc3d389d73e2444cf47001e260",
     "spm/reformer-crime-and-punishment/spiece.model", "google/reformer-crime-and-punishment", NULL,
     "reformer"},
    /* SentencePiece models of the mirror. */
    {"bpe320_republic", TKA_TOKENIZER_SENTENCEPIECE, -1, "spiece.model",
     "30da4d21b7526118ced87698d02c968fc42ed4dc43ccd6c78983d5d495332112",
     "spm/bpe320_republic.model", NULL, NULL, NULL},
    {"sentencepiece_test_model", TKA_TOKENIZER_SENTENCEPIECE, -1, "spiece.model",
     "4884d27bf50494e080aa99dbb868f27b68b6a3b6bd128da37ad6057c5e3cf5a2",
     "spm/sentencepiece_test_model.model", NULL, NULL, NULL},
    {"sentencepiece_test_ja_model", TKA_TOKENIZER_SENTENCEPIECE, -1, "spiece.model",
     "e39551e7ab937745b25edf55a7399d3c78948fda1dabca6b1781df2fcec67f65",
     "spm/sentencepiece_test_ja_model.model", NULL, NULL, NULL},
    {"cluecorpussmall_spm", TKA_TOKENIZER_SENTENCEPIECE, -1, "spiece.model",
     "b9a190932eeea14788ec1abd3405b2fb612b52622945ccb3bb68d67fd586dfcc",
     "spm/cluecorpussmall_spm.model", NULL, NULL, NULL},
};

const tka_known_model *tka_known_models(size_t *count)
{
    *count = sizeof known / sizeof known[0];
    return known;
}

const tka_known_model *tka_known_model_find(const char *name)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].name, name) == 0)
            return &known[i];
    return NULL;
}

const tka_known_model *tka_known_model_by_sha256(const char *sha256_hex)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].sha256, sha256_hex) == 0)
            return &known[i];
    return NULL;
}
