// The Rust tokenizer (npm tokenizers@0.23.2) on the variants of variants.py: writes the answers
// test_tj_audit.sh compares the CLI with. Run by make_expected.sh, never by the suite.
// usage: NODE_PATH=<dir>/node_modules node oracle_audit.js VARIANT.json ROWS.jsonl OUT.jsonl KIND [EXTRA_JSON]
// KIND rows: each row encoded (its add_special_tokens), decode(ids, false/true) (tj_oracle.js's fields).
// KIND batch: rows with add_special_tokens true, then false, in runs of EXTRA.batch rows: each encoded
//   (pairs too) with the file's padding, then all padded to the run's longest, rounded up to the
//   padding's multiple, as Rust's encode_batch + pad_encodings (Encoding.pad with the file's params).
// KIND opts: setTruncation(EXTRA.trunc) / setPadding(EXTRA.pad), each row encoded alone, with its
//   overflow encodings.
// Output rows in input order: {"ids","type_ids","attention_mask","special_tokens_mask","offsets",
//   "overflowing"?, "decoded"?, "decoded_skip"?} or {"error"}.
'use strict';
const fs = require('fs');
const tk = require('tokenizers');
const [tjPath, inPath, outPath, kind, extraArg] = process.argv.slice(2);
const extra = extraArg ? JSON.parse(extraArg) : {};
const fields = e => ({ids: e.getIds(), type_ids: e.getTypeIds(), attention_mask: e.getAttentionMask(),
                      special_tokens_mask: e.getSpecialTokensMask(), offsets: e.getOffsets()});
(async () => {
  const t = tk.Tokenizer.fromFile(tjPath);
  const file = JSON.parse(fs.readFileSync(tjPath, 'utf8'));
  const rows = fs.readFileSync(inPath, 'utf8').split('\n').filter(l => l.length).map(l => JSON.parse(l));
  const out = new Array(rows.length);
  const enc = r => t.encode(r.text, r.pair == null ? null : r.pair, {addSpecialTokens: !!r.add_special_tokens});
  if (kind === 'rows') {
    for (let i = 0; i < rows.length; i++) {
      try {
        const e = await enc(rows[i]);
        out[i] = {...fields(e), decoded: await t.decode(e.getIds(), false), decoded_skip: await t.decode(e.getIds(), true)};
      } catch (err) { out[i] = {error: String(err.message || err)}; }
    }
  } else if (kind === 'batch') {
    const p = file.padding;
    for (const sp of [true, false]) {
      const idx = rows.map((r, i) => i).filter(i => !!rows[i].add_special_tokens === sp);
      for (let k = 0; k < idx.length; k += extra.batch) {
        const run = idx.slice(k, k + extra.batch);
        const encs = [];
        for (const i of run) encs.push(await enc(rows[i]));
        let len = Math.max(...encs.map(e => e.getLength()));
        if (p.pad_to_multiple_of && len % p.pad_to_multiple_of) len += p.pad_to_multiple_of - len % p.pad_to_multiple_of;
        run.forEach((i, q) => {
          encs[q].pad(len, {padId: p.pad_id, padTypeId: p.pad_type_id, padToken: p.pad_token,
                            direction: p.direction === 'Left' ? 'left' : 'right'});
          out[i] = fields(encs[q]);
        });
      }
    }
  } else if (kind === 'opts') {
    if (extra.trunc) t.setTruncation(extra.trunc.maxLength, extra.trunc);
    if (extra.pad) t.setPadding(extra.pad);
    for (let i = 0; i < rows.length; i++) {
      try {
        const e = await enc(rows[i]);
        out[i] = {...fields(e), overflowing: e.getOverflowing().map(fields)};
      } catch (err) { out[i] = {error: String(err.message || err)}; }
    }
  } else throw new Error('KIND: rows | batch | opts');
  fs.writeFileSync(outPath, out.map(o => JSON.stringify(o)).join('\n') + '\n');
})().catch(e => { console.error(e); process.exit(1); });
