// The Rust tokenizer (npm tokenizers@0.23.2) on a tokenizer.json, for what tj_oracle.js does
// not ask: encodeBatch in runs of BATCH rows (the file's padding applies per batch) and the
// overflow encodings. usage: NODE_PATH=<dir>/node_modules node oracle_more.js TOKENIZER.json
// IN.jsonl OUT.jsonl BATCH [TRUNCATION]. BATCH 1: encode row by row (pairs allowed); TRUNCATION:
// JSON {"maxLength", "strategy"?, "stride"?} for setTruncation. IN rows {"text", "pair"?, "add_special_tokens"} (one batch shares
// the first row's add_special_tokens); OUT rows {"ids", "type_ids", "attention_mask",
// "special_tokens_mask", "offsets", "overflowing": [same fields]} or {"error"}.
'use strict';
const fs = require('fs');
const tk = require('tokenizers');
const [tjPath, inPath, outPath, batchArg, truncArg] = process.argv.slice(2);
const fields = e => ({ids: e.getIds(), type_ids: e.getTypeIds(), attention_mask: e.getAttentionMask(),
                      special_tokens_mask: e.getSpecialTokensMask(), offsets: e.getOffsets()});
(async () => {
  const t = tk.Tokenizer.fromFile(tjPath);
  if (truncArg) {
    const tr = JSON.parse(truncArg);
    t.setTruncation(tr.maxLength, tr);
  }
  const rows = fs.readFileSync(inPath, 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l));
  const batch = Number(batchArg) || rows.length;
  const out = [];
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const inputs = chunk.map(r => r.pair == null ? r.text : [r.text, r.pair]);
    try {
      const opts = {addSpecialTokens: !!chunk[0].add_special_tokens};
      const encs = batch === 1 ? [await t.encode(chunk[0].text, chunk[0].pair == null ? null : chunk[0].pair, opts)]
                               : await t.encodeBatch(inputs, opts);
      for (const e of encs)
        out.push(JSON.stringify({...fields(e), overflowing: e.getOverflowing().map(fields)}));
    } catch (err) {
      for (const _ of chunk) out.push(JSON.stringify({error: String(err.message || err)}));
    }
  }
  fs.writeFileSync(outPath, out.join('\n') + (out.length ? '\n' : ''));
})().catch(e => { console.error(e); process.exit(1); });
