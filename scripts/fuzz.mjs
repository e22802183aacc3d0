#!/usr/bin/env node
// Longer fuzz runs than CI's: the same fuzz tests (test/hostile/fuzz-*.test.ts, packages/mail/src/mime.fuzz.test.ts)
// with a seed and a count of your choice, passed through FUZZ_SEED and FUZZ_COUNT, without vitest's per-test
// time limit. Each target prints its seed and counts; a failure names the seed, the case and its input.
//
//   node scripts/fuzz.mjs --target imap --seed 7 --count 50000
//   node scripts/fuzz.mjs --seed 7 --count 20000            (every target, one after the other)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const TARGETS = {
  imap: 'test/hostile/fuzz-imap.test.ts',
  smtp: 'test/hostile/fuzz-smtp.test.ts',
  pop3: 'test/hostile/fuzz-pop3.test.ts',
  mime: 'packages/mail/src/mime.fuzz.test.ts',
};
const DAY_MS = 24 * 60 * 60 * 1000;

const usage = `usage: node scripts/fuzz.mjs [--target ${Object.keys(TARGETS).join('|')}] [--seed N] [--count N]`;
let options;
try {
  options = parseArgs({
    options: {
      target: { type: 'string' },
      seed: { type: 'string' },
      count: { type: 'string' },
      help: { type: 'boolean' },
    },
  }).values;
} catch (err) {
  console.error(`${err.message}\n${usage}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage);
  process.exit(0);
}
for (const name of ['seed', 'count']) {
  if (options[name] !== undefined && !/^\d+$/.test(options[name])) {
    console.error(`--${name} must be a non-negative integer\n${usage}`);
    process.exit(2);
  }
}
if (options.target !== undefined && !(options.target in TARGETS)) {
  console.error(`unknown target ${options.target}\n${usage}`);
  process.exit(2);
}

const seed = options.seed ?? String(Date.now() % 2 ** 31);
const targets = options.target ? [options.target] : Object.keys(TARGETS);
const env = { ...process.env, FUZZ_SEED: seed, ...(options.count ? { FUZZ_COUNT: options.count } : {}) };
let failed = 0;
for (const target of targets) {
  console.log(`fuzz ${target}: seed ${seed}${options.count ? `, count ${options.count}` : ', the CI count'}`);
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const args = ['-y', packageManager, 'exec', 'vitest', 'run', TARGETS[target], '--testTimeout', String(DAY_MS)];
  const result = spawnSync(npx, args, { cwd: root, stdio: 'inherit', env });
  if (result.signal) process.kill(process.pid, result.signal);
  if (result.status !== 0) failed++;
}
if (failed > 0) {
  console.error(
    `${failed} of ${targets.length} fuzz targets failed (seed ${seed}); rerun one with --target and --seed`,
  );
  process.exit(1);
}
