"""Live differential test of the SentencePiece backend against libsentencepiece
(Debian's python3-sentencepiece, the library the goldens came from).

For the four shared models and for models trained here with the settings the
shared ones lack (byte fallback, whitespace as suffix, user-defined and control
symbols, no dummy prefix / extra-whitespace removal, identity and nfkc_cf
normalization, CHAR, WORD, custom special ids and unk surface) and for hand-made
models (written here byte by byte: score ties, UNUSED/USER_DEFINED/CONTROL
pieces inside BPE merges, byte fallback, custom charsmap rules), every line of every
corpus in shared/data/corpora (oracle line convention: split on \\n only, a
trailing \\r dropped when every line has one, BOM kept) and seeded random-Unicode
lines are encoded by both. Compared per line: ids and pieces, and (for every
line of the random and trained-model sets, every 5th corpus line of the shared
models) code-point offsets (the begin/end of encode(out_type='immutable_proto'))
and decode(ids). Random id
sequences are decoded by both, and the vocabulary, piece lookup and special ids
are compared. Any difference fails the test.
"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

import sentencepiece as spm

SHARED = os.environ.get('TKA_SHARED') or os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared')
DRIVER = os.path.join(os.environ.get('TKA_TEST_BIN', ''), 'driver_spm')
CORPORA = ['botchan.txt', 'the_republic.txt', 'wagahaiwa_nekodearu.txt']
SHARED_MODELS = ['bpe320_republic', 'sentencepiece_test_model', 'sentencepiece_test_ja_model',
                 'cluecorpussmall_spm']
SEED = 20240611
MAX_SHOWN = 8


def read_lines(path):
    raw = open(path, 'rb').read()
    if raw.endswith(b'\n'):
        raw = raw[:-1]
    lines = raw.decode('utf-8').split('\n') if raw else []
    if lines and all(l.endswith('\r') for l in lines):
        lines = [l[:-1] for l in lines]
    return lines


# ------------------------------------------------------------------ random text
def _ranges(*spans):
    out = []
    for a, b in spans:
        out.extend(range(a, b + 1))
    return out


POOLS = {
    'ascii': [chr(c) for c in range(0x21, 0x7f)],
    'space': list(' \t\u00a0\u3000\u2002\u2003\u2009\u200a\u2028\u2029\u0085\r\x0b\x0c\u1680'
                  '\u202f\u205f\ufeff\u200b\u200d\u2581  '),
    'control': [chr(c) for c in _ranges((0, 9), (11, 0x1f), (0x7f, 0x9f))],
    'combining': [chr(c) for c in _ranges((0x300, 0x36f), (0x93c, 0x94d), (0xe31, 0xe3a),
                                          (0x20d0, 0x20f0), (0x3099, 0x309a))],
    'nfkc': [chr(c) for c in _ranges((0xff01, 0xff5e), (0xff61, 0xff9f), (0xfb00, 0xfb06),
                                     (0x2460, 0x2473), (0x2160, 0x2188), (0xf900, 0xf92f),
                                     (0x3131, 0x318e), (0x3380, 0x33ff), (0x2100, 0x214f),
                                     (0x1d400, 0x1d4ff), (0xfe30, 0xfe6b))]
            + list('\u00b2\u00b3\u00b9\u00bc\u00bd\ufdfa\ufdfb\u212b\u2126\u1e9b\u0149\u01c4'),
    'latin': [chr(c) for c in _ranges((0xc0, 0x24f), (0x1e00, 0x1eff))],
    'scripts': [chr(c) for c in _ranges((0x391, 0x3c9), (0x410, 0x44f), (0x5d0, 0x5ea),
                                        (0x620, 0x64a), (0x905, 0x939), (0xe01, 0xe2e),
                                        (0x10a0, 0x10ff), (0x13a0, 0x13f4))],
    'kana': [chr(c) for c in _ranges((0x3041, 0x3096), (0x30a1, 0x30fa), (0x30fc, 0x30fe))],
    'cjk': [chr(c) for c in _ranges((0x4e00, 0x4fff), (0x6000, 0x60ff), (0x3400, 0x34ff),
                                    (0xac00, 0xacff), (0x3000, 0x303f))],
    'astral': [chr(c) for c in _ranges((0x1f600, 0x1f64f), (0x1f300, 0x1f3ff), (0x20000, 0x200ff),
                                       (0x10000, 0x1003f), (0xe0020, 0xe007f), (0xf0000, 0xf000f),
                                       (0x1f1e6, 0x1f1ff))],
    'odd': list('\ufffd\ufffe\uffff\ufdd0\ufdef\U0001fffe\ue000\uf8ff\u0378\u2066\u2069\u00ad'
                '\u034f\u180e\u061c'),
}
WORDS = ['[MASK]', '[CLS]', '[SEP]', '[PAD]', '[UNK]', '<s>', '</s>', '<unk>', '<sep>', '<ctl>',
         '[unused1]', '[unused10]', 'ab', 'abc', '▁', '▁▁', '...', '.......', '!!!', '--',
         'http://example.com/a?b=c', 'e\u0301', 'A\u030a', '\u1100\u1161\u11a8', 'ｶﾞ', 'ﾊﾟ',
         '１２３', 'ｱｲｳ', 'Ｈｅｌｌｏ', 'the', 'of the', 'Socrates', '吾輩は猫である', '名前はまだ無い',
         '0123456789', '3.14159', '  ', '\t\t', '　　']


def random_lines(rng, n):
    names = list(POOLS)
    out = []
    for _ in range(n):
        parts = []
        length = rng.choice([0, 1, 2, 3, 5, 8, 13, 21, 34, 60])
        favourite = rng.choice(names)
        for _ in range(length):
            r = rng.random()
            if r < 0.12:
                parts.append(rng.choice(WORDS))
            elif r < 0.5:
                parts.append(rng.choice(POOLS[favourite]))
            else:
                parts.append(rng.choice(POOLS[rng.choice(names)]))
            if rng.random() < 0.25:
                parts.append(' ')
        out.append(''.join(parts))
    return out


# ------------------------------------------------------------------ models
def train_models(tmp, rng):
    """Small models covering settings the shared models do not use."""
    corpus = os.path.join(tmp, 'train.txt')
    lines = read_lines(os.path.join(SHARED, 'data', 'corpora', 'botchan.txt'))[:1500]
    lines += read_lines(os.path.join(SHARED, 'data', 'corpora', 'wagahaiwa_nekodearu.txt'))[:60]
    lines += random_lines(rng, 40)
    with open(corpus, 'w', encoding='utf-8') as f:
        for l in lines:
            f.write(l.replace('\n', ' ').replace('\r', ' ') + '\n')
    common = dict(input=corpus, minloglevel=2, num_threads=1, character_coverage=0.98,
                  hard_vocab_limit=False)
    configs = {
        'bpe_bytefb': dict(model_type='bpe', vocab_size=1000, byte_fallback=True),
        'uni_bytefb_digits': dict(model_type='unigram', vocab_size=1200, byte_fallback=True,
                                  split_digits=True, self_test_sample_size=40),
        'uni_suffix_symbols': dict(model_type='unigram', vocab_size=1200,
                                   treat_whitespace_as_suffix=True,
                                   user_defined_symbols=['<sep>', 'ab', 'abc', '[MASK]', '▁▁'],
                                   control_symbols=['<ctl>', '[CLS]', '[SEP]']),
        'uni_keep_spaces_nfkc_cf': dict(model_type='unigram', vocab_size=1000,
                                        remove_extra_whitespaces=False, add_dummy_prefix=False,
                                        normalization_rule_name='nfkc_cf'),
        'bpe_identity_symbols': dict(model_type='bpe', vocab_size=1000,
                                     normalization_rule_name='identity',
                                     user_defined_symbols=['<sep>', '[MASK]', 'ab'],
                                     control_symbols=['<ctl>']),
        'bpe_suffix_nospace': dict(model_type='bpe', vocab_size=900,
                                   treat_whitespace_as_suffix=True, add_dummy_prefix=False),
        'word_plain': dict(model_type='word', vocab_size=3000),
        'word_suffix_spaces': dict(model_type='word', vocab_size=3000,
                                   treat_whitespace_as_suffix=True,
                                   allow_whitespace_only_pieces=True,
                                   remove_extra_whitespaces=False),
        'char_custom_ids': dict(model_type='char', unk_id=3, bos_id=-1, eos_id=1, pad_id=0,
                                unk_surface='<?>', unk_piece='[UNK]', pad_piece='[PAD]'),
    }
    paths = {}
    for name, cfg in configs.items():
        prefix = os.path.join(tmp, name)
        spm.SentencePieceTrainer.train(model_prefix=prefix, **common, **cfg)
        paths[name] = prefix + '.model'
    return paths


# ------------------------------------------------------------------ hand-made models
# Written here byte by byte (protobuf wire format, Darts-clone charsmap) to reach
# what training never produces: ties, UNUSED and USER_DEFINED pieces inside BPE
# merges, a CONTROL piece that BPE can merge into, custom charsmap rules.
def _varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def _field(num, wire, payload):
    if wire == 0:
        return _varint(num << 3) + _varint(payload)
    if wire == 5:
        return _varint(num << 3 | 5) + struct.pack('<f', payload)
    data = payload.encode('utf-8') if isinstance(payload, str) else payload
    return _varint(num << 3 | 2) + _varint(len(data)) + data


def _model(pieces, model_type, byte_fallback=False, charsmap=None, dummy=True, extra=True):
    out = b''
    for text, score, ptype in pieces:
        body = _field(1, 2, text) + _field(2, 5, score) + (_field(3, 0, ptype) if ptype else b'')
        out += _field(1, 2, body)
    out += _field(2, 2, _field(3, 0, model_type) + (_field(35, 0, 1) if byte_fallback else b''))
    if charsmap is not None:
        out += _field(3, 2, _field(1, 2, 'custom') + _field(2, 2, charsmap) +
                      _field(3, 0, int(dummy)) + _field(4, 0, int(extra)))
    return out


def _charsmap(rules):
    """Darts-clone units: one 256-unit block per node, value unit at the block
    start, children at block ^ byte (as tests/unit/spm_builder.h)."""
    pool = bytearray()
    at = []
    for _, to in rules:
        at.append(len(pool))
        pool += to.encode('utf-8') + b'\0'
    keys = [(frm.encode('utf-8'), i) for i, (frm, _) in enumerate(rules)]
    units = {}
    nodes = [(b'', 0)]
    block = 256
    k = 0
    while k < len(nodes):
        prefix, nid = nodes[k]
        k += 1
        mine, block = block, block + 256
        units[nid] = units.get(nid, 0) | ((nid ^ mine) << 10)
        for key, i in keys:
            if not key.startswith(prefix):
                continue
            if len(key) == len(prefix):
                units[nid] |= 1 << 8
                units[mine] = at[i] | 0x80000000
                continue
            c = key[len(prefix)]
            cid = mine ^ c
            if cid not in units:
                units[cid] = c
                nodes.append((prefix + bytes([c]), cid))
    arr = b''.join(struct.pack('<I', units.get(i, 0)) for i in range(block))
    return struct.pack('<I', len(arr)) + arr + bytes(pool)


WS = '\u2581'
SPECIALS = [('<unk>', 0, 2), ('<s>', 0, 3), ('</s>', 0, 3)]


def crafted_models(tmp):
    bpe = SPECIALS + [(WS, -1, 0), ('a', -2, 0), ('b', -2, 0), ('c', -2, 0), ('ab', -1, 0),
                      ('ba', -1, 0), ('bc', -0.5, 0), ('abc', -0.7, 0), ('xy', 0, 4), ('ax', 5, 0),
                      ('x', -2, 0), ('cc', -0.1, 5), ('ccc', -0.05, 5), ('cb', -3, 0),
                      (WS + 'd', -1, 3), (WS + 'd', -1, 0), ('d', -1, 0), ('bb', -1, 0),
                      ('bbb', -1, 0), ('aa', -1, 0)]
    byte = SPECIALS + [('<0x%02X>' % i, 0, 6) for i in range(256)] + [
        (WS, -1, 0), ('a', -2, 0), ('b', -2, 0), ('ab', -1, 0), (WS + 'a', -1.5, 0), ('ｱ', -3, 0)]
    uni = SPECIALS + [(WS, -2, 0), ('a', -1, 0), ('aa', -2, 0), ('b', -3, 0), ('ab', -2.5, 0),
                      ('abc', 0, 5), ('c', -4, 0), ('xy', -50, 4), ('x', -1, 0), ('y', -1, 0),
                      (WS + 'x', -0.5, 0), ('bb', -6, 0), ('bbb', -9, 0), ('ba', -4, 0),
                      ('aab', -3.5, 0)]
    rules = [('a', 'b'), ('ab', 'X'), ('c', ''), ('d', ' '), ('e', '  e  '), ('ｱ', 'A'),
             ('abc', '[abc]')]
    chars = SPECIALS + [('u', 0, 4), ('ｱｱ', 0, 4)] + [(ch, -1, 0) for ch in
                                                      [WS, 'a', 'b', 'X', 'x', 'y', 'e', '[', ']',
                                                       'A', ' ']]
    specs = {
        'crafted_bpe': _model(bpe, 2),
        'crafted_bpe_bytes': _model(byte, 2, byte_fallback=True),
        'crafted_unigram': _model(uni, 1),
        'crafted_unigram_charsmap': _model(uni, 1, charsmap=_charsmap(rules)),
        'crafted_char_charsmap': _model(chars, 4, charsmap=_charsmap(rules)),
        'crafted_char_charsmap_raw': _model(chars, 4, charsmap=_charsmap(rules), dummy=False,
                                            extra=False),
    }
    paths = {}
    for name, data in specs.items():
        paths[name] = os.path.join(tmp, name + '.model')
        with open(paths[name], 'wb') as f:
            f.write(data)
    return paths


def crafted_lines(rng, n):
    alphabet = list('aaabbbcccdxyze ') + ['  ', '\t', 'ｱ', 'é', '日', WS, 'ab', 'abc', 'xy',
                                           '\u0301', '\u3000']
    return [''.join(rng.choice(alphabet) for _ in range(rng.randrange(0, 16))) for _ in range(n)]


# ------------------------------------------------------------------ comparison
class Tally:
    def __init__(self):
        self.lines = 0
        self.checked = 0
        self.matched = 0
        self.shown = 0

    def record(self, ok, what):
        self.checked += 1
        if ok:
            self.matched += 1
        elif self.shown < MAX_SHOWN:
            self.shown += 1
            print('MISMATCH ' + what, file=sys.stderr)


class Driver:
    """driver_spm on a batch of requests, running while the oracle computes."""

    def __init__(self, model, requests, tmp):
        self.model, self.count = model, len(requests)
        self.req_path = os.path.join(tmp, 'requests.jsonl')
        self.ans_path = os.path.join(tmp, 'answers.jsonl')
        with open(self.req_path, 'w', encoding='utf-8') as f:
            for r in requests:
                f.write(json.dumps(r) + '\n')
        self.stdin = open(self.req_path, 'rb')
        self.stdout = open(self.ans_path, 'wb')
        self.proc = subprocess.Popen([DRIVER, model], stdin=self.stdin, stdout=self.stdout)

    def answers(self):
        rc = self.proc.wait()
        self.stdin.close()
        self.stdout.close()
        if rc != 0:
            raise SystemExit('FAIL %s: driver exited with %d' % (self.model, rc))
        with open(self.ans_path, encoding='utf-8') as f:
            answers = [json.loads(l) for l in f if l.strip()]
        if answers and 'open_error' in answers[0]:
            raise SystemExit('FAIL %s: %s' % (self.model, answers[0]['open_error']))
        if len(answers) != self.count:
            raise SystemExit('FAIL %s: driver answered %d of %d requests'
                             % (self.model, len(answers), self.count))
        return answers


def run_driver(model, requests, tmp):
    return Driver(model, requests, tmp).answers()


def check_texts(label, model, sp, texts, tally, tmp, full_every=1):
    """ids and pieces of every line; offsets and decode(ids) of every
    full_every-th line (the slow part of the oracle on big corpora)."""
    full = [k for k in range(len(texts)) if k % full_every == 0]
    driver = Driver(model, [{'text': t, 'full': k % full_every == 0} for k, t in enumerate(texts)],
                    tmp)
    ids = sp.encode(texts)
    pieces = sp.encode(texts, out_type=str)
    # The immutable proto reports begin/end in code points. When Encode fails
    # (a CONTROL piece reached by BPE merging) sp.encode gives [] but the proto
    # keeps the pieces made before the failure: no offsets then.
    offsets = {k: [[p.begin, p.end] for p in proto.pieces] if ids[k] else []
               for k, proto in zip(full, sp.encode([texts[k] for k in full],
                                                   out_type='immutable_proto'))}
    decoded = dict(zip(full, sp.decode([ids[k] for k in full])))
    answers = driver.answers()
    tally.lines += len(texts)
    for k, (t, a) in enumerate(zip(texts, answers)):
        where = '%s line %d %r' % (label, k + 1, t[:60])
        if 'error' in a:
            tally.record(False, '%s: tokalign error %s' % (where, a['error']))
            continue
        tally.record(a['ids'] == ids[k], '%s: ids %s != %s' % (where, a['ids'], ids[k]))
        tally.record(a['pieces'] == pieces[k], '%s: pieces %s != %s' % (where, a['pieces'], pieces[k]))
        if k in offsets:
            tally.record(a['offsets'] == offsets[k],
                         '%s: offsets %s != %s' % (where, a['offsets'], offsets[k]))
            tally.record(a['decoded'] == decoded[k],
                         '%s: decoded %r != %r' % (where, a['decoded'], decoded[k]))


def check_vocab_and_decode(label, model, sp, rng, tally, tmp):
    n = sp.get_piece_size()
    info = run_driver(model, [{'info': True}], tmp)[0]
    tally.record(info['pieces'] == [sp.id_to_piece(i) for i in range(n)], '%s: id_to_piece' % label)
    # token_to_id is PieceToId without the unknown fallback: the same id unless
    # two pieces share a text.
    tally.record(info['lookup'] == [sp.piece_to_id(sp.id_to_piece(i)) for i in range(n)],
                 '%s: piece_to_id' % label)
    specials = [sp.unk_id(), sp.bos_id(), sp.eos_id(), sp.pad_id()]
    tally.record([info['unk'], info['bos'], info['eos'], info['pad']] == specials,
                 '%s: special ids %s != %s' % (label, [info['unk'], info['bos'], info['eos'], info['pad']], specials))
    for i in range(n):
        t = info['types'][i]
        ok = (t == 2) == sp.is_unknown(i) and (t == 3) == sp.is_control(i) and \
             (t == 5) == sp.is_unused(i) and (t == 6) == sp.is_byte(i)
        tally.record(ok, '%s: type of piece %d' % (label, i))
    seqs = []
    for _ in range(300):
        length = rng.choice([0, 1, 2, 3, 5, 8, 20])
        seqs.append([rng.randrange(n) for _ in range(length)])
    seqs.append([n - 1, 0, n - 1])
    answers = run_driver(model, [{'decode': s} for s in seqs], tmp)
    expected = sp.decode(seqs)
    for s, a, e in zip(seqs, answers, expected):
        tally.record(a.get('text') == e, '%s: decode(%s) %r != %r' % (label, s, a, e))
    # Out-of-range ids are refused by both.
    bad = run_driver(model, [{'decode': [0, n]}, {'decode': [-1]}], tmp)
    tally.record(all('error' in b for b in bad), '%s: out-of-range ids accepted' % label)


def main():
    if not os.path.exists(DRIVER):
        print('FAIL driver not built: %s' % DRIVER)
        return 1
    rng = random.Random(SEED)
    corpora = {c: read_lines(os.path.join(SHARED, 'data', 'corpora', c)) for c in CORPORA}
    randoms = random_lines(rng, 1500)
    failed = False
    total = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        models = {m: os.path.join(SHARED, 'data', 'spm', m + '.model') for m in SHARED_MODELS}
        models.update(train_models(tmp, rng))
        crafted = crafted_models(tmp)
        models.update(crafted)
        small = crafted_lines(rng, 3000)
        for name, path in models.items():
            sp = spm.SentencePieceProcessor(model_file=path)
            tally = Tally()
            if name in SHARED_MODELS:
                sets = dict(corpora)
            elif name in crafted:
                sets = {'crafted': small, 'botchan.txt[:300]': corpora['botchan.txt'][:300]}
            else:
                sets = {'botchan.txt[:2000]': corpora['botchan.txt'][:2000],
                        'wagahaiwa[:500]': corpora['wagahaiwa_nekodearu.txt'][:500]}
            sets['random'] = randoms
            for set_name, texts in sets.items():
                every = 5 if name in SHARED_MODELS and set_name in CORPORA else 1
                check_texts('%s/%s' % (name, set_name), path, sp, texts, tally, tmp, every)
            check_vocab_and_decode(name, path, sp, rng, tally, tmp)
            ok = tally.checked > 0 and tally.checked == tally.matched
            failed |= not ok
            print('%s live spm %s (%d lines): checked %d, matched %d'
                  % ('PASS' if ok else 'FAIL', name, tally.lines, tally.checked, tally.matched))
            total.lines += tally.lines
            total.checked += tally.checked
            total.matched += tally.matched
    print('%s live spm (all models, %d lines): checked %d, matched %d'
          % ('FAIL' if failed else 'PASS', total.lines, total.checked, total.matched))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
