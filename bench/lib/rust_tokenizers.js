// Reference side of the BERT and tokenizer.json benchmarks: HuggingFace's Rust tokenizer
// (npm tokenizers@0.23.2), encoding every line with special tokens in batches of 10k lines
// (serial under TOKENIZERS_PARALLELISM=false) and writing the ids like
// `tokalign encode --output-format ids` (space-separated, one line each).
//   bert VOCAB.txt: a WordPiece tokenizer configured like bert-base-uncased's tokenizer.json
//                   (as in shared/oracle/tokenize/bert_fast.js)
//   json FILE.json: the tokenizer.json itself
// usage: TOKENIZERS_PARALLELISM=false node rust_tokenizers.js bert|json FILE IN OUT
'use strict';
const fs = require('fs');
const tk = require('tokenizers');
const [kind, file, inPath, outPath] = process.argv.slice(2);
const BATCH = 10000;

async function open() {
  if (kind === 'json') return tk.Tokenizer.fromFile(file);
  if (kind !== 'bert') throw new Error(`unknown tokenizer kind '${kind}' (bert or json)`);
  const model = await tk.WordPiece.fromFile(file, {unkToken: '[UNK]', continuingSubwordPrefix: '##',
                                                   maxInputCharsPerWord: 100});
  const t = new tk.Tokenizer(model);
  t.setNormalizer(tk.bertNormalizer({cleanText: true, handleChineseChars: true, stripAccents: true,
                                     lowercase: true}));
  t.setPreTokenizer(tk.bertPreTokenizer());
  t.setPostProcessor(tk.bertProcessing(['[SEP]', t.tokenToId('[SEP]')], ['[CLS]', t.tokenToId('[CLS]')]));
  t.addSpecialTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  return t;
}

(async () => {
  const t = await open();
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
