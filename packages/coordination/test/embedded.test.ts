/** The contract on the embedded implementation: two instances over one data directory, as two processes. */
import { tempDir } from '@mailyard/testkit';
import { EmbeddedCoordination } from '../src/index.js';
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
