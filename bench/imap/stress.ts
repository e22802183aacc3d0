/**
 * IMAP stress run, longer than the CI test (apps/imap/test/stress.test.ts): 10 sessions on one mailbox doing
 * random SELECT/FETCH/STORE/EXPUNGE/APPEND/MOVE, each checking its own view (EXISTS, EXPUNGE, FLAGS, MODSEQ),
 * all compared with a fresh session at the end. From bench/:
 *   node --conditions=source --import tsx imap/stress.ts        (BENCH_STRESS_SECONDS, default 60; BENCH_STRESS_CLIENTS, default 10)
 * Prints operations per second and every inconsistency found; exits 1 on any.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { createImapServer } from '@mailyard/imap';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { runStress } from '@mailyard/testkit';

const SECONDS = Number(process.env.BENCH_STRESS_SECONDS ?? 60);
const CLIENTS = Number(process.env.BENCH_STRESS_CLIENTS ?? 10);
const PASSWORD = 'stress password';

const dataDir = await mkdtemp(join(tmpdir(), 'mailyard-imap-stress-'));
try {
  const config = loadConfig({ env: {}, overrides: { dataDir, hostname: 'localhost', allowInsecureAuth: true } });
  const { masterKey, tls } = await ensureRuntimeFiles(config);
  const logger = createLogger({ level: 'warn', name: 'imap-stress' });
  const control = new SqliteControlStore({ dataDir, masterKey, scryptCost: { N: 1024, r: 8, p: 1 } });
  const mailstore = new Mailstore({ dataDir, kdf: { N: 1024 } });
  const account = await control.createAccount({ email: 'admin@stress.test', password: PASSWORD });
  const domain = await control.createDomain({
    accountId: account.id,
    name: 'stress.test',
    verificationToken: 'token',
    dkim: { selector: 'x', publicKey: 'AAAA', privateKeyPem: 'unused' },
  });
  const alias = await control.createAlias(domain.id, { name: 'stress', hasImap: true });
  const mailboxId = randomBytes(8).toString('hex');
  await mailstore.createMailbox(mailboxId, PASSWORD);
  await control.setMailboxCredential(alias.id, mailboxId, PASSWORD);
  const server = createImapServer({ config, logger, control, mailstore, tls });
  const port = await server.listen(0, '127.0.0.1');
  const started = Date.now();
  const result = await runStress({
    port,
    address: 'stress@stress.test',
    password: PASSWORD,
    clients: CLIENTS,
    durationMs: SECONDS * 1000,
    seed: Date.now() & 0xffff,
  });
  const elapsed = (Date.now() - started) / 1000;
  console.log(`imap stress: ${CLIENTS} clients, ${SECONDS} s`);
  console.log(`  operations: ${result.operations} (${Math.round(result.operations / elapsed)}/s)`);
  console.log(`  messages at the end: ${result.finalMessages}`);
  console.log(`  inconsistencies: ${result.errors.length}`);
  for (const error of result.errors) console.log(`    ${error}`);
  await server.close();
  await mailstore.close();
  await control.close();
  process.exitCode = result.errors.length > 0 ? 1 : 0;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
