#!/usr/bin/env node
// The README's two commands. A fresh Debian machine has only Node and npm, so the pinned pnpm is brought in
// through npx (corepack fails on these machines, see docs/development.md), dependencies are installed (native
// ones built from source against the local Node headers), the workspace is built, and then either the whole
// server runs under pm2-runtime in the foreground or the test suite runs (`interop`: the slow suites alone).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const env = { ...process.env };
// node-gyp would otherwise try to download headers; Debian and NodeSource ship them under /usr.
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';

function run(args, extraEnv = {}) {
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const result = spawnSync(npx, ['-y', packageManager, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, ...extraEnv },
  });
  if (result.signal) process.kill(process.pid, result.signal);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const command = process.argv[2];
const frozen = env.CI ? ['--frozen-lockfile'] : [];
run(['install', '--prefer-offline', ...frozen]);
run(['run', 'build']);

if (command === 'test') {
  // What a reviewer checks: types (bench and end-to-end tests included), lint, declared dependencies, then every
  // test except the slow interoperability suites (`interop`, run by .ci/run as a step of its own).
  run(['run', 'typecheck']);
  run(['run', 'lint']);
  run(['run', 'deps']);
  run(['exec', 'vitest', 'run', '--exclude', 'test/interop/**', ...process.argv.slice(3)]);
} else if (command === 'interop') {
  run(['exec', 'vitest', 'run', 'test/interop', ...process.argv.slice(3)]);
} else if (command === 'start') {
  // --no-auto-exit: pm2-runtime's auto-exit check lists every process (with its CPU and memory) every 2 s, about
  // half of PM2's CPU at rest (docs/operations.md); the jobs process restarts errored apps instead.
  run(['exec', 'pm2-runtime', 'start', 'ecosystem.config.cjs', '--no-auto-exit'], {
    PM2_HOME: env.PM2_HOME ?? join(env.MAILYARD_DATA_DIR ?? join(root, 'data'), 'pm2'),
  });
} else {
  console.error('usage: node scripts/run.mjs start|test|interop');
  process.exit(2);
}
