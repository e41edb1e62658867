"""Builds tests/unit/data/tj_model_words.jsonl: a sample of words with the ids and offsets the
Rust tokenizer's model gives them (bench/tj/model_oracle.js output), for test_tj_models.c.
usage: python3 make_model_fixture.py OUT MODEL:WORDS.jsonl:ORACLE.jsonl ... [--per-model N]"""
import json
import random
import sys

args = sys.argv[1:]
per = 100
if '--per-model' in args:
    k = args.index('--per-model')
    per = int(args[k + 1])
    del args[k:k + 2]
out = open(args[0], 'w', encoding='utf-8')
for spec in args[1:]:
    model, words, oracle = spec.split(':')
    ws = [json.loads(l) for l in open(words, encoding='utf-8')]
    rs = [json.loads(l) for l in open(oracle, encoding='utf-8')]
    assert len(ws) == len(rs)
    rnd = random.Random(11)
    pick = sorted(rnd.sample(range(len(ws)), min(per, len(ws))))
    # words the model splits into many pieces or with unknowns are the interesting ones
    pick += sorted(i for i in range(len(ws)) if len(rs[i].get('ids', [])) >= 6)[:per // 3]
    for i in sorted(set(pick)):
        if 'error' in rs[i] or len(ws[i].encode('utf-8')) > 80:
            continue
        out.write(json.dumps({'model': model, 'word': ws[i], 'ids': rs[i]['ids'],
                              'offsets': rs[i]['offsets']}, ensure_ascii=False) + '\n')
