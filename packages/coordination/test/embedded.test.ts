/** The contract on the embedded implementation: two instances over one data directory, as two processes. */
import { captureLog, tempDir } from '@mailyard/testkit';
import { expect, test } from 'vitest';
import { createCoordination, EmbeddedCoordination } from '../src/index.js';
import { runCoordinationContract } from './contract.js';

runCoordinationContract('embedded', async () => {
  const dir = await tempDir('mailyard-coordination-');
  const first = new EmbeddedCoordination({ dataDir: dir.path, notifyPollMs: 50 });
  const second = new EmbeddedCoordination({ dataDir: dir.path, notifyPollMs: 50 });
  return {
    first,
    second,
    dispose: async () => {
      await first.close();
      await second.close();
      await dir.cleanup();
    },
  };
});

test('createCoordination without a Redis URL (or with an empty one) is the embedded implementation', async () => {
  await using dir = await tempDir('mailyard-coordination-');
  const { logger } = captureLog();
  for (const redisUrl of [undefined, '']) {
    const coordination = await createCoordination({ dataDir: dir.path, logger, redisUrl });
    expect(coordination.backend).toBe('embedded');
    await coordination.close();
  }
});
