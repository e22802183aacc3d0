/**
 * The dependency check (`npm run deps`, a step of `npm test`), in two passes:
 *  - `knip`: every dependency a package.json declares is imported or run by that package, every import resolves
 *    to a declared dependency, every binary a script runs is known, and no file is unreachable from an entry point;
 *  - `knip --production --strict`: the shipped code (entries and project patterns marked `!`) imports only what
 *    its own workspace lists under `dependencies` (not devDependencies, not the root's), and no file under src/ is
 *    reached by tests alone (test helpers belong in test/ or a `*.test-support.ts` file, which no build includes).
 *
 * Entry points are what starts code: each app's `src/main.ts` (what PM2 runs) and every package's `src/index.ts`
 * (its export), the scripts and benchmarks run by hand, the tests (knip's vitest plugin reads vitest.config.ts,
 * its include patterns and setup files), and the files code or tests start by path rather than import (Bree's
 * worker files, child processes). Unused exports are not part of this check.
 *
 * Every ignore below is a false positive with its reason; a real finding is fixed in package.json or the code.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { KnipConfig } from 'knip';

type Workspace = NonNullable<KnipConfig['workspaces']>[string];

/**
 * A workspace's files: the shipped ones (`!`: src/, where production mode leaves *.test.ts out by itself, less the
 * `*.test-support.ts` files the build's tsconfig excludes too) and its test/ and bench/ code. Those two are
 * listed only where they exist, since a pattern matching nothing is reported as a configuration hint.
 */
function project(dir: string): string[] {
  const devOnly = ['test', 'bench'].filter((sub) => existsSync(`${dir}/${sub}`));
  return ['src/**/*.ts!', '!src/**/*.test-support.ts!', ...devOnly.map((sub) => `${sub}/**/*.{ts,js,mjs}`)];
}

/** What a workspace runs besides its src/index.ts (an entry by default); every ignore with its reason. */
interface Entries {
  /** Shipped entry points (production code). */
  shipped?: string[];
  /** Files that tests and benchmarks start by path (a child process, a worker) rather than import. */
  startedByPath?: string[];
  ignoreDependencies?: string[];
}

/**
 * Dependencies a package loads on demand with createRequire (to keep them out of every process's memory), which knip
 * cannot follow. The first pass sees their `import type` and counts them used; the production pass leaves type
 * imports out, so it alone needs them ignored (in both passes knip would report the ignore as unneeded).
 */
const production = process.argv.includes('--production');
function loadedOnDemand(names: string[]): string[] {
  return production ? names : [];
}

/** Each app's process is src/main.ts, which PM2 runs (built to dist/main.js). */
const appMain = ['src/main.ts'];

const entries: Record<string, Entries> = {
  // src/cli.ts is the `mailyard` command (package.json bin, built to dist/cli.js); the CLI has no main.ts.
  'apps/cli': { shipped: ['src/cli.ts'] },
  // test/fixtures/deliver.ts is a child process of the IDLE tests.
  'apps/imap': { shipped: appMain, startedByPath: ['test/fixtures/*.ts'] },
  // The REST API has no process entry of its own: the api process's entry point is apps/web's main.ts.
  'apps/api': { shipped: [] },
  // Bree runs each job as a worker from its built file (dist/jobs/<name>.js); restore.ts is a command run by
  // hand (node apps/jobs/dist/restore.js, docs/operations.md); the scheduler tests run test/fixtures/*.js. No
  // main.ts: the outbound process hosts the scheduler (the ./scheduler export).
  'apps/jobs': { shipped: ['src/jobs/*.ts', 'src/restore.ts'], startedByPath: ['test/fixtures/*.js'] },
  // ManageSieve and POP3 have no process of their own (the imap process serves them): src/index.ts is the entry.
  'apps/managesieve': { shipped: [] },
  'apps/pop3': { shipped: [] },
  // The configuration reference generator, run as `npm run docs:config` (node packages/config/dist/docs.js).
  // selfsigned is loaded with createRequire only when a certificate is made (tls-certificate.ts), which knip cannot see.
  'packages/config': { shipped: ['src/docs.ts'], ignoreDependencies: loadedOnDemand(['selfsigned']) },
  'packages/control': { startedByPath: ['test/sign-up-child.ts'] },
  // ioredis is loaded with createRequire only when MAILYARD_REDIS_URL is set (redis-link.ts), which knip cannot see.
  'packages/coordination': {
    startedByPath: ['test/instance.ts', 'test/file-locks-child.ts', 'bench/*.ts'],
    ignoreDependencies: loadedOnDemand(['ioredis']),
  },
  // pino-pretty is loaded with createRequire only for terminal output (logger.ts), which knip cannot see.
  'packages/logger': { ignoreDependencies: loadedOnDemand(['pino-pretty']) },
  'packages/mail': { startedByPath: ['bench/*.mjs'] },
  'packages/mailstore': { startedByPath: ['test/child.ts'] },
  // The profiling test starts test/fixtures/profiled-child.ts with `node --import tsx`, which knip cannot see.
  'packages/monitor': { startedByPath: ['test/fixtures/*-child.ts'], ignoreDependencies: ['tsx'] },
  // The process tests start test/fixtures/*-child.ts with `node --import tsx`, which knip cannot see.
  'packages/runtime': { startedByPath: ['test/fixtures/*-child.ts'], ignoreDependencies: ['tsx'] },
  'packages/sieve': { startedByPath: ['bench/*.ts'] },
  // jobs.test.ts and scratch.test.ts start test/job-child.ts and test/scratch-child.ts with `node --import tsx`
  // and kill them mid-import.
  'packages/transfer': { startedByPath: ['test/job-child.ts', 'test/scratch-child.ts'] },
};

/** Every app and package (a folder with a package.json), each with its entries. */
function appsAndPackages(): Record<string, Workspace> {
  const workspaces: Record<string, Workspace> = {};
  for (const parent of ['apps', 'packages']) {
    for (const name of readdirSync(parent)) {
      const dir = `${parent}/${name}`;
      if (!existsSync(`${dir}/package.json`)) continue;
      const { shipped = parent === 'apps' ? appMain : [], startedByPath = [], ...ignores } = entries[dir] ?? {};
      workspaces[dir] = {
        entry: [...shipped.map((entry) => `${entry}!`), ...startedByPath],
        project: project(dir),
        ...ignores,
      };
    }
  }
  return workspaces;
}

const config: KnipConfig = {
  include: [
    'files',
    'dependencies',
    'devDependencies',
    'optionalPeerDependencies',
    'unlisted',
    'binaries',
    'unresolved',
  ],
  // System programs, not packages: the interop test mounts and enters a Debian chroot (umount, chroot), the Sieve
  // oracle test runs Pigeonhole's sieve-test (Debian dovecot-sieve), and the ManageSieve client test runs
  // sieve-connect (Debian sieve-connect), and the import test has Dovecot's doveadm (Debian dovecot-core) write a
  // Maildir, and the imap instances test asks redis-cli (Debian redis-tools, a dependency of redis-server) about its
  // private redis-server, each skipped with the reason when missing.
  ignoreBinaries: ['chroot', 'umount', 'sieve-test', 'sieve-connect', 'doveadm', 'redis-cli'],
  workspaces: {
    '.': {
      entry: ['scripts/*.mjs'],
      // pm2 is run as `pnpm exec pm2-runtime` from an argument array in scripts/run.mjs, which knip does not read.
      ignoreDependencies: ['pm2'],
    },
    ...appsAndPackages(),
    test: {
      // hostile/fixtures/stalled-client.mjs is a child process of the slow-reader test.
      entry: ['**/*.test.ts', 'setup/*.ts', 'hostile/fixtures/*.mjs'],
      project: ['**/*.{ts,mjs}'],
    },
    bench: {
      // Each benchmark is a script run by hand or from package.json; imap/server.mjs and api/load-worker.mjs are
      // processes the benchmarks start by path.
      entry: ['*/*.{ts,mjs}'],
      project: ['**/*.{ts,mjs}'],
    },
  },
};

export default config;
