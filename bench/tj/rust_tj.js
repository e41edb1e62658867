// Reference side of the tokenizer.json benchmark: HuggingFace's Rust tokenizer
// (npm tokenizers@0.23.2) loading the same tokenizer.json, encoding every line
// with special tokens in batches of 10k lines (serial under
// TOKENIZERS_PARALLELISM=false) and writing the ids like
// `tokalign encode --output-format ids` (space-separated, one line each).
// usage: TOKENIZERS_PARALLELISM=false node rust_tj.js TOKENIZER.json IN OUT
'use strict';
const fs = require('fs');
const tk = require('tokenizers');
const [tokPath, inPath, outPath] = process.argv.slice(2);
const BATCH = 10000;

(async () => {
  const t = tk.Tokenizer.fromFile(tokPath);
  // Python text-mode lines: "\r\n", "\r" and "\n" end a line.
  const text = fs.readFileSync(inPath, 'utf8');
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const out = fs.openSync(outPath, 'w');
  for (let i = 0; i < lines.length; i += BATCH) {
    const encs = await t.encodeBatch(lines.slice(i, i + BATCH), {addSpecialTokens: true});
    fs.writeSync(out, encs.map(e => e.getIds().join(' ')).join('\n') + '\n');
  }
  fs.closeSync(out);
})().catch(e => { console.error(e); process.exit(1); });
