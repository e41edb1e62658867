"""tokenizer.json variants for the oracle audit (tests/cli/test_tj_audit.sh): the real files of
the shared mirror with one component changed (JSON edits only), plus the texts they are run on.

usage: python3 variants.py MIRROR_TOKENIZERS_DIR MIRROR_CORPORA_DIR OUT_DIR
Writes OUT_DIR/NAME.json for every variant, OUT_DIR/rows.jsonl (the input rows) and
OUT_DIR/manifest.jsonl: {"name", "kind", ...} with kind
  rows   every row encoded (add_special_tokens as the row says) and decoded, as tj_oracle.js
         (with the CLI options "cli", if any);
  batch  rows encoded in batches of "batch" rows, the file's padding section padding each
         batch to its longest (pairs included);
  opts   rows encoded with the CLI options "cli" = the oracle's setTruncation / setPadding
         ("trunc" / "pad"), row by row, with the overflow encodings.
Deterministic: the same mirror gives the same files.
"""
import copy, json, os, sys

TEXTS = [
    "Hello world",
    "  Hello,  world!  ",
    "The quick brown fox... isn't it? 2024-12-02 3.14",
    "naïve café Ünïcödé ÅÉÎ",
    "\tTabs\tand\nnew lines\n",
    "日本語のテキスト、です。",
    "emoji 🙂👍🏽 mix: 你好 Привет",
    "",
    " ",
    "a.b.c  d.e...f",
    "don't   stop__now ▁x▁ ##ab",
    "a <mask> b [X] c words word sword hello Hello <|endoftext|> end",
    " <mask>  [X]x  word, hello!",
]
PAIRS = [
    ("Hello world", "How are you?"),
    ("one two three four five six", "seven eight nine ten eleven twelve thirteen"),
    ("short", "a much longer second sequence of many words here"),
    ("a much longer first sequence of many words for the test", "tiny"),
    (" spaced  out ", "日本語、です"),
]


def corpus_lines(corpora):
    """A few short real lines: botchan (English) and wagahaiwa (Japanese)."""
    out = []
    for name, want in (("botchan.txt", 5), ("wagahaiwa_nekodearu.txt", 3)):
        with open(os.path.join(corpora, name), encoding="utf-8") as f:
            lines = [l.rstrip("\r\n") for l in f]
        picked = [l for l in lines if 20 <= len(l) <= 90][:want]
        out += picked
    return out


def rows(corpora):
    r = []
    for t in TEXTS + corpus_lines(corpora):
        for sp in (True, False):
            r.append({"text": t, "pair": None, "add_special_tokens": sp})
    for a, b in PAIRS:
        for sp in (True, False):
            r.append({"text": a, "pair": b, "add_special_tokens": sp})
    return r


def load(tokdir, name):
    with open(os.path.join(tokdir, name, "tokenizer.json"), encoding="utf-8") as f:
        return json.load(f)


def added(content, id_, special=False, normalized=True, lstrip=False, rstrip=False, single_word=False):
    return {"id": id_, "content": content, "single_word": single_word, "lstrip": lstrip,
            "rstrip": rstrip, "normalized": normalized, "special": special}


def variants(tokdir):
    gpt2, t5, bert, llama2 = (load(tokdir, n) for n in ("gpt2", "t5-style-unigram",
                                                          "bert-base-uncased-fast", "llama2"))
    out = []  # (name, kind, json, extra)

    def v(name, base, kind="rows", extra=None, **edits):
        j = copy.deepcopy(base)
        for k, val in edits.items():
            j[k] = val
        out.append((name, kind, j, extra or {}))
        return j

    bl_nore = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    # Split: every behavior, with and without invert, a regex and a literal string pattern.
    for beh in ("Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"):
        for inv in (False, True):
            v("split_re_%s_%s" % (beh, "inv" if inv else "plain"), gpt2, pre_tokenizer={
                "type": "Sequence", "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": "\\s+|[.,]"}, "behavior": beh, "invert": inv},
                    bl_nore]})
        v("split_str_%s" % beh, gpt2, pre_tokenizer={"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"String": "."}, "behavior": beh, "invert": beh == "Contiguous"},
            bl_nore]})
    # Metaspace: every prepend_scheme, split on and off (pre-tokenizer and decoder alike).
    for scheme in ("always", "first", "never"):
        for split in (True, False):
            m = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme, "split": split}
            v("metaspace_%s_%s" % (scheme, "split" if split else "nosplit"), t5, pre_tokenizer=m, decoder=m)
    # ByteLevel pre-tokenizer / post-processor: add_prefix_space and trim_offsets (offsets).
    for aps in (False, True):
        for trim in (False, True):
            b = {"type": "ByteLevel", "add_prefix_space": aps, "trim_offsets": trim, "use_regex": True}
            v("bytelevel_aps%d_trim%d" % (aps, trim), gpt2, pre_tokenizer=b, post_processor=b)
    # RobertaProcessing (on gpt2's vocabulary, <|endoftext|> as cls and sep).
    for aps in (False, True):
        for trim in (False, True):
            v("roberta_aps%d_trim%d" % (aps, trim), gpt2,
              pre_tokenizer={"type": "ByteLevel", "add_prefix_space": aps, "trim_offsets": trim, "use_regex": True},
              post_processor={"type": "RobertaProcessing", "sep": ["<|endoftext|>", 50256],
                              "cls": ["<|endoftext|>", 50256], "trim_offsets": trim, "add_prefix_space": aps})
    # A Sequence post-processor: ByteLevel offsets trimmed, then a template with type ids.
    v("post_sequence", gpt2,
      pre_tokenizer={"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
      post_processor={"type": "Sequence", "processors": [
          {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
          {"type": "TemplateProcessing",
           "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<|endoftext|>", "type_id": 1}},
                    {"Sequence": {"id": "B", "type_id": 1}}],
           "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [50256], "tokens": ["<|endoftext|>"]}}}]})
    # Decoders.
    v("dec_ctc_cleanup", llama2, decoder={"type": "CTC", "pad_token": "<unk>", "word_delimiter_token": "▁", "cleanup": True})
    v("dec_ctc_nocleanup", t5, decoder={"type": "CTC", "pad_token": "▁", "word_delimiter_token": "s", "cleanup": False})
    v("dec_fuse_strip", t5, decoder={"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0}]})
    # (Rust panics when a cut passes the token: start and stop on a one-char token, or a stop
    # longer than the token; the texts here avoid that.)
    v("dec_strip_each", t5, decoder={"type": "Strip", "content": "▁", "start": 2, "stop": 0})
    v("dec_replace_regex", t5, decoder={"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"Regex": "▁+|e"}, "content": "_"}, {"type": "Fuse"}]})
    v("dec_bpe_suffix", t5, decoder={"type": "BPEDecoder", "suffix": "▁"})
    v("dec_wordpiece_nocleanup", bert, decoder={"type": "WordPiece", "prefix": "##", "cleanup": False})
    # Components the loader used to refuse.
    v("chardelim_space", bert, pre_tokenizer={"type": "CharDelimiterSplit", "delimiter": " "})
    v("chardelim_e", bert, pre_tokenizer={"type": "Sequence", "pretokenizers": [
        {"type": "WhitespaceSplit"}, {"type": "CharDelimiterSplit", "delimiter": "e"}]})
    v("fixedlength_3", bert, pre_tokenizer={"type": "FixedLength", "length": 3})
    v("fixedlength_default", gpt2, pre_tokenizer={"type": "Sequence", "pretokenizers": [
        {"type": "FixedLength"}, bl_nore]})
    v("bytelevel_normalizer", gpt2, normalizer={"type": "ByteLevel"}, pre_tokenizer={
        "type": "Split", "pattern": {"String": "Ġ"}, "behavior": "MergedWithNext", "invert": False})
    v("bytelevel_normalizer_seq", gpt2, normalizer={"type": "Sequence", "normalizers": [
        {"type": "NFKD"}, {"type": "ByteLevel"}]}, pre_tokenizer=None)
    # Added tokens: every flag, normalized or not, special or not.
    ats = [added("<mask>", 50257, special=True, normalized=False, lstrip=True),
           added("[X]", 50258, rstrip=True),
           added("word", 50259, single_word=True),
           added("hello", 50260, normalized=False, lstrip=True, rstrip=True),
           added(" Hello", 50261, special=True, normalized=True)]
    v("added_flags_gpt2", gpt2, added_tokens=gpt2["added_tokens"] + ats)
    bats = [added("<mask>", 30522, special=True, normalized=False, lstrip=True, rstrip=True),
            added("[x]", 30523, rstrip=True, single_word=True),
            added("word", 30524, single_word=True, lstrip=True),
            added("Hello", 30525, normalized=False),
            added("hello", 30526, special=True, normalized=True)]
    v("added_flags_bert", bert, added_tokens=bert["added_tokens"] + bats)
    # The file's truncation section: every strategy, strides, both directions.
    for strat in ("LongestFirst", "OnlyFirst", "OnlySecond"):
        for stride in (0, 1):
            for direction in ("Right", "Left"):
                v("trunc_file_%s_s%d_%s" % (strat, stride, direction), bert, truncation={
                    "direction": direction, "max_length": 12, "strategy": strat, "stride": stride})
    v("trunc_file_llama2", llama2, truncation={"direction": "Right", "max_length": 6,
                                               "strategy": "LongestFirst", "stride": 1})
    v("trunc_file_gpt2_left", gpt2, truncation={"direction": "Left", "max_length": 5,
                                                "strategy": "OnlySecond", "stride": 0})
    # The file's padding section: BatchLongest over batches with pairs, left and right,
    # pad_to_multiple_of; Fixed.
    v("pad_file_batch_right", bert, kind="batch", extra={"batch": 4}, padding={
        "strategy": "BatchLongest", "direction": "Right", "pad_to_multiple_of": 8, "pad_id": 0,
        "pad_type_id": 0, "pad_token": "[PAD]"})
    v("pad_file_batch_left", bert, kind="batch", extra={"batch": 5}, padding={
        "strategy": "BatchLongest", "direction": "Left", "pad_to_multiple_of": 5, "pad_id": 3,
        "pad_type_id": 1, "pad_token": "[MASK]"})
    v("pad_file_batch_llama2", llama2, kind="batch", extra={"batch": 3}, padding={
        "strategy": "BatchLongest", "direction": "Left", "pad_to_multiple_of": None, "pad_id": 0,
        "pad_type_id": 2, "pad_token": "<unk>"})
    v("pad_file_fixed", bert, padding={"strategy": {"Fixed": 24}, "direction": "Left",
                                       "pad_to_multiple_of": None, "pad_id": 0, "pad_type_id": 0,
                                       "pad_token": "[PAD]"})
    v("pad_trunc_file", bert, extra={"cli": ["--batch-size", "1"]}, padding={"strategy": "BatchLongest", "direction": "Right",
                                       "pad_to_multiple_of": 4, "pad_id": 0, "pad_type_id": 0,
                                       "pad_token": "[PAD]"},
      truncation={"direction": "Right", "max_length": 10, "strategy": "LongestFirst", "stride": 0})
    # The CLI's truncation and padding options (the oracle's setTruncation / setPadding).
    for strat, cli in (("LongestFirst", "longest_first"), ("OnlyFirst", "only_first"),
                       ("OnlySecond", "only_second")):
        v("opts_%s_s1" % cli, bert, kind="opts", extra={
            "cli": ["--max-length", "12", "--truncation", cli, "--stride", "1", "--overflow"],
            "trunc": {"maxLength": 12, "strategy": strat, "stride": 1}})
    v("opts_pad_max_left", bert, kind="opts", extra={
        "cli": ["--max-length", "16", "--truncation", "longest_first", "--overflow", "--padding",
                "max_length", "--padding-side", "left"],
        "trunc": {"maxLength": 16, "strategy": "LongestFirst", "stride": 0},
        "pad": {"maxLength": 16, "direction": "left", "padId": 0, "padTypeId": 0, "padToken": "[PAD]"}})
    v("opts_pad_multiple", gpt2, kind="opts", extra={
        "cli": ["--padding", "longest", "--pad-to-multiple-of", "8", "--pad-id", "50256", "--batch-size", "1"],
        "pad": {"padToMultipleOf": 8, "padId": 50256, "padTypeId": 0, "padToken": "<|endoftext|>"}})
    return out


def main():
    tokdir, corpora, outdir = sys.argv[1:4]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "rows.jsonl"), "w", encoding="utf-8") as f:
        for r in rows(corpora):
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(outdir, "manifest.jsonl"), "w", encoding="utf-8") as man:
        for name, kind, j, extra in variants(tokdir):
            with open(os.path.join(outdir, name + ".json"), "w", encoding="utf-8") as f:
                json.dump(j, f, ensure_ascii=False)
            man.write(json.dumps(dict(name=name, kind=kind, **extra)) + "\n")


if __name__ == "__main__":
    main()
