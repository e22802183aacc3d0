// prune-mail-log through its task: a real control store in a temp data dir, events older than 30 days go, and so
// do finished outbound queue items with their delivery log, finished webhooks and sent-email records of that age.
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { captureLog, Teardown, tempDir } from '@mailyard/testkit';
import { afterEach, expect, test, vi } from 'vitest';
import { pruneMailLogTask } from '../src/tasks.js';

const teardown = new Teardown();
afterEach(() => teardown.run());

const DKIM = { selector: 'p1', publicKey: 'MIIBIjANBgkq', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nabc\n' };

const DAY = 86_400_000;

async function openStore() {
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
  const ctx = { config, logger: captureLog().logger, alert: () => undefined, signal: new AbortController().signal };
  return { control, account, domain, ctx };
}

test('deletes mail log events older than 30 days and keeps the rest', async () => {
  const { control, domain, ctx } = await openStore();
  const event = {
    domainId: domain.id,
    direction: 'inbound' as const,
    event: 'delivered' as const,
    sender: 's@x.example',
  };
  await control.recordMailEvents([
    { ...event, recipient: 'old@prune.example', at: new Date(Date.now() - 31 * DAY) },
    { ...event, recipient: 'new@prune.example', at: new Date(Date.now() - 29 * DAY) },
  ]);
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

test('deletes finished queue items, their delivery log, finished webhooks and sent records older than 30 days', async () => {
  const { control, account, domain, ctx } = await openStore();
  const body = Buffer.from('Subject: x\r\n\r\nx\r\n');
  /** Queues a message at `at` and, unless `pending`, delivers it there (one delivery log line). */
  async function queueAt(at: Date, pending = false) {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(at);
      const item = await control.enqueue({ envelopeFrom: 'o@prune.example', recipients: ['r@x.example'], body });
      const hook = await control.enqueueWebhook({ domainId: domain.id, url: 'https://hooks.example/in', body });
      if (!pending) {
        await control.claimDue('w', at, 10);
        await control.recordAttempt(item.id, 'w', {
          recipients: [{ address: 'r@x.example', status: 'delivered' }],
          nextAttemptAt: at,
        });
        await control.claimDueWebhooks('w', at, 10);
        await control.recordWebhookAttempt(hook.id, 'w', { outcome: 'delivered' });
      }
      const sent = await control.recordSentEmail({
        accountId: account.id,
        aliasId: null,
        sender: 'o@prune.example',
        domain: 'prune.example',
        messageId: `${item.id}@prune.example`,
        subject: 'x',
        size: body.length,
        localRecipients: [],
        queueId: item.id,
        createdAt: at,
      });
      return { item, hook, sent };
    } finally {
      vi.useRealTimers();
    }
  }
  const old = await queueAt(new Date(Date.now() - 31 * DAY));
  const stuck = await queueAt(new Date(Date.now() - 32 * DAY), true);
  const recent = await queueAt(new Date(Date.now() - 29 * DAY));
  expect(await control.deliveryLog(old.item.id)).toHaveLength(1);

  expect(await pruneMailLogTask(ctx)).toMatchObject({ queue: 1, deliveryLog: 1, webhooks: 1, sentEmails: 2 });
  expect(await control.getQueueItem(old.item.id)).toBeNull();
  expect(await control.deliveryLog(old.item.id)).toEqual([]);
  expect(await control.getWebhook(old.hook.id)).toBeNull();
  expect(await control.getSentEmail(account.id, old.sent.id)).toBeNull();
  // Still waiting (queued 32 days ago, say after a long outage): kept whatever its age.
  expect((await control.getQueueItem(stuck.item.id))?.state).toBe('queued');
  expect((await control.getWebhook(stuck.hook.id))?.state).toBe('queued');
  expect((await control.getQueueItem(recent.item.id))?.state).toBe('delivered');
  expect(await control.deliveryLog(recent.item.id)).toHaveLength(1);
  expect((await control.getWebhook(recent.hook.id))?.state).toBe('delivered');
  expect(await control.getSentEmail(account.id, recent.sent.id)).not.toBeNull();
});
