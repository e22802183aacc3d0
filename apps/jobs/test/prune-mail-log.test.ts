// prune-mail-log through its task: a real control store in a temp data dir, events older than 30 days go.
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { captureLog, Teardown, tempDir } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { pruneMailLogTask } from '../src/tasks.js';

const teardown = new Teardown();
afterEach(() => teardown.run());

const DKIM = { selector: 'p1', publicKey: 'MIIBIjANBgkq', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nabc\n' };

test('deletes mail log events older than 30 days and keeps the rest', async () => {
  const dir = await tempDir('mailyard-prune-');
  teardown.defer(() => dir.cleanup());
  const config = loadConfig({ env: {}, overrides: { dataDir: dir.path } });
  const { masterKey, paths } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey });
  teardown.defer(() => control.close());
  const account = await control.createAccount({ email: 'o@prune.example', password: 'a password!' });
  const domain = await control.createDomain({
    accountId: account.id,
    name: 'prune.example',
    verificationToken: 'v',
    dkim: DKIM,
  });
  const event = {
    domainId: domain.id,
    direction: 'inbound' as const,
    event: 'delivered' as const,
    sender: 's@x.example',
  };
  await control.recordMailEvents([
    { ...event, recipient: 'old@prune.example', at: new Date(Date.now() - 31 * 86_400_000) },
    { ...event, recipient: 'new@prune.example', at: new Date(Date.now() - 29 * 86_400_000) },
  ]);
  const ctx = { config, logger: captureLog().logger, alert: () => undefined, signal: new AbortController().signal };
  expect(await pruneMailLogTask(ctx)).toMatchObject({ deleted: 1 });
  const left = await control.listMailEvents({
    domainIds: [domain.id],
    since: new Date(0),
    until: new Date(Date.now() + 1000),
    page: 1,
    limit: 10,
  });
  expect(left.items.map((e) => e.recipient)).toEqual(['new@prune.example']);
});
