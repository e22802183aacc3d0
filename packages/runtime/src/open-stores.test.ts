/**
 * The mail store every process opens through openMailstore counts each mailbox database it opens in
 * mailyard_mailbox_opens_total: a second session of a mailbox already open reuses the handle and counts nothing.
 */
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { readMetric } from '@mailyard/monitor';
import { tempDir } from '@mailyard/testkit';
import { expect, test } from 'vitest';
import { openMailstore } from './open-stores.js';

test('mailbox opens are counted once per database opened', async () => {
  await using dir = await tempDir('mailyard-open-stores-');
  const config = loadConfig({ env: {}, overrides: { dataDir: dir.path, mailbox: { kdfCost: 1024 } } });
  const mailstore = openMailstore(config, await ensureRuntimeFiles(config));
  try {
    await mailstore.createMailbox('mbx-metrics', 'a password');
    const before = await readMetric('mailyard_mailbox_opens_total');
    const first = await mailstore.open('mbx-metrics', 'a password');
    expect(await readMetric('mailyard_mailbox_opens_total')).toBe(before + 1);
    const second = await mailstore.open('mbx-metrics', 'a password');
    expect(await readMetric('mailyard_mailbox_opens_total')).toBe(before + 1);
    second.close();
    first.close();
  } finally {
    await mailstore.close();
  }
});
