// Reference side of bench/tj/tj_model_run: the Rust tokenizer (npm `tokenizers`, tested with
// 0.23.2) with only the "model" (or "decoder") section of a tokenizer.json: no normalizer,
// no pre-tokenizer, no added tokens, no post-processor, so each input line is one word.
// usage: NODE_PATH=<dir>/node_modules node model_oracle.js [--decode] TOKENIZER.json IN.jsonl OUT.jsonl
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const tk = require('tokenizers');
const args = process.argv.slice(2);
const decode = args[0] === '--decode';
const [tjPath, inPath, outPath] = decode ? args.slice(1) : args;

(async () => {
  const full = JSON.parse(fs.readFileSync(tjPath, 'utf8'));
  const bare = {version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
                pre_tokenizer: null, post_processor: null, decoder: decode ? full.decoder : null,
                model: full.model};
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tjm-')), 'tokenizer.json');
  fs.writeFileSync(tmp, JSON.stringify(bare));
  const t = tk.Tokenizer.fromFile(tmp);
  const rows = fs.readFileSync(inPath, 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l));
  const out = [];
  for (const r of rows) {
    try {
      if (decode) {
        out.push(JSON.stringify(await t.decode(r, false)));
      } else {
        const e = await t.encode(r, null, {addSpecialTokens: false});
        out.push(JSON.stringify({ids: e.getIds(), offsets: e.getOffsets()}));
      }
    } catch (err) {
      out.push(JSON.stringify({error: String(err.message || err)}));
    }
  }
  fs.writeFileSync(outPath, out.join('\n') + (out.length ? '\n' : ''));
})().catch(e => { console.error(e); process.exit(1); });
