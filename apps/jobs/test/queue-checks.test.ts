import { randomBytes } from 'node:crypto';
import { SqliteControlStore } from '@mailyard/control';
import { Teardown, tempDir } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { checkQueue } from '../src/queue-checks.js';

const teardown = new Teardown();
afterEach(() => teardown.run());

test('alerts on mail queued for over an hour and on recent permanent failures', async () => {
  const dir = await tempDir('mailyard-queue-');
  teardown.defer(() => dir.cleanup());
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey: randomBytes(32) });
  teardown.defer(() => control.close());
  const body = Buffer.from('Subject: x\r\n\r\nx\r\n');
  await control.enqueue({ envelopeFrom: 'a@example.org', recipients: ['r@remote.example'], body });
  await control.enqueue({ envelopeFrom: 'a@example.org', recipients: ['gone@remote.example'], body });
  const [claimed] = await control.claimDue('w', new Date(), 1);
  await control.complete(claimed?.id ?? '', 'w', 'failed');

  const alerts: string[] = [];
  const alert = (level: string, message: string) => alerts.push(`${level}: ${message}`);
  expect(await checkQueue(control, { alert })).toEqual({ examined: 2, delayed: 0, failed: 1 });
  expect(alerts).toEqual(['info: 1 outbound message(s) failed permanently in the last hour']);

  alerts.length = 0;
  const later = () => Date.now() + 2 * 3600_000;
  expect(await checkQueue(control, { alert, now: later })).toEqual({ examined: 2, delayed: 1, failed: 0 });
  expect(alerts).toEqual(['warn: 1 outbound message(s) queued for over an hour']);
});
