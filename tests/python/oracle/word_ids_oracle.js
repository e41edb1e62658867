// Word ids of HuggingFace's Rust tokenizer (npm `tokenizers@0.23.2`) for test_word_ids.py.
// usage: NODE_PATH=<dir>/node_modules node word_ids_oracle.js TOKENIZER.json IN.jsonl OUT.jsonl
// IN rows:  {"text", "pair": string|null, "add_special_tokens": bool, "max_length": int|null,
//            "stride": int}
// OUT rows: {"ids": [[...]], "word_ids": [[...]]} (the encoding, then with max_length its
//   overflowing encodings, as transformers lists them) or {"error"}. With max_length the
//   tokenizer truncates as transformers' fast tokenizers ask it to (enable_truncation(max_length,
//   stride, longest_first)).
'use strict';
const fs = require('fs');
const tk = require('tokenizers');
const [tjPath, inPath, outPath] = process.argv.slice(2);

(async () => {
  const t = tk.Tokenizer.fromFile(tjPath);
  const rows = fs.readFileSync(inPath, 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l));
  const out = [];
  for (const r of rows) {
    try {
      if (r.max_length == null) t.disableTruncation();
      else t.setTruncation(r.max_length, {stride: r.stride || 0, strategy: 'LongestFirst'});
      const e = await t.encode(r.text, r.pair == null ? null : r.pair, {addSpecialTokens: !!r.add_special_tokens});
      const all = [e].concat(r.max_length == null ? [] : e.getOverflowing());
      out.push(JSON.stringify({ids: all.map(x => x.getIds()),
                               word_ids: all.map(x => x.getWordIds().map(w => (w == null ? null : w)))}));
    } catch (err) {
      out.push(JSON.stringify({error: String(err.message || err)}));
    }
  }
  fs.writeFileSync(outPath, out.join('\n') + (out.length ? '\n' : ''));
})().catch(e => { console.error(e); process.exit(1); });
