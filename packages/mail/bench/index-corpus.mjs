// Indexing speed over the shared mail corpus: node bench/index-corpus.mjs [rounds]  (after `turbo run build`).
// Prints messages/s and MB/s for the first (cold) pass and for the following warm passes.

import { readFileSync } from 'node:fs';
import { corpusMessages } from '@mailyard/testkit';
import { indexMessageSync } from '../dist/index.js';

// The corpus with its LF twins; absent, corpusMessages prints why and gives none.
const files = corpusMessages({ withLfTwins: true });
if (files.length === 0) process.exit(0);
const messages = files.map((file) => readFileSync(file));
const bytes = messages.reduce((sum, raw) => sum + raw.length, 0);
const rounds = Number(process.argv[2] ?? 20);

function pass() {
  const start = process.hrtime.bigint();
  for (const raw of messages) indexMessageSync(raw);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const report = (label, seconds, count) =>
  console.log(
    `${label}: ${count} messages in ${(seconds * 1000).toFixed(0)} ms = ${(count / seconds).toFixed(0)} msg/s, ` +
      `${((bytes * (count / messages.length)) / seconds / 1e6).toFixed(1)} MB/s`,
  );

report('cold pass', pass(), messages.length);
let warm = 0;
for (let i = 0; i < rounds; i++) warm += pass();
report(`warm (${rounds} passes)`, warm, messages.length * rounds);
