/**
 * @mailyard/testkit: what tests share to run real things and leave nothing behind.
 *
 * - tempDir(): a data directory under os.tmpdir(), removed by cleanup() or `await using`.
 * - listen()/closeServer(): servers on port 0 of 127.0.0.1 (or ::1; no other address is allowed), closed with
 *   their open connections.
 * - repoRoot(), corpusDir(), corpusMessages(): the workspace root (holds pnpm-workspace.yaml) and the shared mail
 *   corpus at <root>/../shared/corpus, which is read in place and never copied into the project. The one way
 *   tests reach the corpus: absent, it is skipped with the reason printed, and fails the run when CI=true.
 * - tsxLoader(): the loader a child process needs to run TypeScript sources (`--import`).
 * - requireTool(): Debian tools (swaks, curl, fetchmail, mbsync, python3, redis-server) looked up on PATH.
 * - waitFor(), Teardown: polling for asynchronous outcomes (never a fixed sleep), and explicit LIFO clean-up.
 * - captureLog(): a real @mailyard/logger logger whose JSON lines are kept in memory for assertions.
 * - mailboxSnapshot(): every message of a mailbox session (folder, bytes, flags, internal date) to compare whole.
 * - smallFilesystem(): a small tmpfs to fill for real full-disk tests (needs root; skip-or-fail rule otherwise).
 * - startDnsServer(): an authoritative UDP DNS responder on 127.0.0.1 answering MX, TXT, A and AAAA from a table.
 * - expectCodeBugs(), beforeTest/afterTest/afterFile: the code-bug check every test runs (test/setup/code-bugs.ts):
 *   a code bug logged in the process (or by a child whose lines go to noteChildLogLine) fails the test.
 * - createPrng(), mutate(), fuzzRun(): a seeded PRNG, byte mutations of real inputs, and the seed and count of a
 *   fuzz run (fixed in CI, FUZZ_SEED/FUZZ_COUNT for longer runs).
 * - runStress(): the IMAP stress run (random commands from many raw sessions, each checking its view), for
 *   apps/imap's stress test and bench/imap/stress.ts.
 * - spamSamples()/hamSamples(): seeded, realistic spam and everyday mail for the spam-learning tests.
 * - portZeroEnvironment()/usePortZero(): every MAILYARD_*_PORT set to 0, so processes tests start never collide.
 * - startRedisServer(): a private redis-server on a unix socket (optionally with a password and TLS) that a test
 *   can kill, pause and restart.
 *
 * Invariant: a missing corpus or tool makes a test skip with a printed reason locally and fail when CI=true.
 */

export { afterFile, afterTest, beforeTest, expectCodeBugs, noteChildLogLine } from './code-bugs.js';
export { type DnsServer, type DnsTable, startDnsServer, txtChunks } from './dns-server.js';
export {
  type CorpusOptions,
  corpusDir,
  corpusMessages,
  findExecutable,
  isCI,
  repoRoot,
  requireTool,
  tsxLoader,
  unavailable,
} from './environment.js';
export { createPrng, type FuzzRun, fuzzRun, mutate, type Prng } from './fuzz.js';
export { runStress, type StressOptions, type StressResult } from './imap-stress.js';
export { hamSamples, spamSamples } from './learning-mail.js';
export { captureLog, type LogCapture, type LogCaptureOptions, type LogLine } from './log-capture.js';
export { type MessageSnapshot, mailboxSnapshot, type SnapshotSource } from './mailbox-snapshot.js';
export { portZeroEnvironment, usePortZero } from './ports.js';
export { type RedisServer, type RedisServerOptions, redisServerAvailable, startRedisServer } from './redis-server.js';
export { closeServer, listen } from './servers.js';
export { type SmallFilesystem, smallFilesystem } from './small-fs.js';
export { Teardown } from './teardown.js';
export { type TempDir, tempDir } from './temp-dir.js';
export { waitFor } from './wait-for.js';
