"""Writes the seed corpora of the SentencePiece fuzz targets (committed; the
test build replays them): run with Debian's python3, needs python3-sentencepiece.
  fuzz/seeds/fuzz_spm_model/   small .model files: the hand-made models of
                               tests/interop/test_spm_live.py and tiny trained
                               ones (identity normalization, so no charsmap;
                               trained with relative paths so no machine path
                               ends up in their trainer_spec)
  fuzz/seeds/fuzz_spm_encode/  one model-selector byte + a text line
"""
import os
import random
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'interop'))
os.environ.setdefault('TKA_SHARED', os.path.join(HERE, '..', '..', 'shared'))
import test_spm_live as live  # noqa: E402
import sentencepiece as spm  # noqa: E402


def main():
    model_dir = os.path.join(HERE, 'seeds', 'fuzz_spm_model')
    text_dir = os.path.join(HERE, 'seeds', 'fuzz_spm_encode')
    os.makedirs(model_dir, exist_ok=True)
    os.makedirs(text_dir, exist_ok=True)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in live.crafted_models(tmp).items():
            with open(path, 'rb') as f, open(os.path.join(model_dir, name), 'wb') as g:
                g.write(f.read())
        lines = live.read_lines(os.path.join(live.SHARED, 'data', 'corpora', 'botchan.txt'))[:400]
        with open(os.path.join(tmp, 'train.txt'), 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            for kind, extra in [('bpe', {}), ('unigram', {'user_defined_symbols': ['<sep>']}),
                                ('word', {}), ('char', {}), ('bpe', {'byte_fallback': True})]:
                spm.SentencePieceTrainer.train(input='train.txt', model_prefix='tiny',
                                               model_type=kind, vocab_size=400,
                                               character_coverage=0.99, hard_vocab_limit=False,
                                               minloglevel=2, normalization_rule_name='identity',
                                               **extra)
                name = 'trained_%s%s' % (kind, '_bytes' if extra.get('byte_fallback') else '')
                with open('tiny.model', 'rb') as f, \
                        open(os.path.join(model_dir, name), 'wb') as g:
                    g.write(f.read())
        finally:
            os.chdir(cwd)
    texts = live.random_lines(rng, 150) + live.crafted_lines(rng, 100)
    for i, t in enumerate(texts):
        with open(os.path.join(text_dir, 'seed%03d' % i), 'wb') as f:
            f.write(bytes([i % 8]) + t.encode('utf-8'))
    print('wrote %d models, %d texts' % (len(os.listdir(model_dir)), len(texts)))


if __name__ == '__main__':
    main()
