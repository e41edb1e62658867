// tiktoken side of the tokenizer.json benchmark: npm tiktoken (its Rust core as
// WASM), GPT-2 encoding, every line encoded without special tokens
// (encode_ordinary) and its ids written like `tokalign encode --output-format
// ids`. GPT-2's tokenizer.json adds no special tokens, so the ids must equal
// tokalign's and the Rust tokenizer's for gpt2.
// usage: node tiktoken_gpt2.js IN OUT
'use strict';
const fs = require('fs');
const {get_encoding} = require('tiktoken');
const [inPath, outPath] = process.argv.slice(2);

const enc = get_encoding('gpt2');
const text = fs.readFileSync(inPath, 'utf8');
const lines = text.split(/\r\n|\r|\n/);
if (lines.length && lines[lines.length - 1] === '') lines.pop();
const parts = new Array(lines.length);
for (let i = 0; i < lines.length; i++) parts[i] = enc.encode_ordinary(lines[i]).join(' ');
fs.writeFileSync(outPath, parts.join('\n') + '\n');
enc.free();
