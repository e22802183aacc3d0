// Request files are noticed through the watch on the profiles directory, not only by the (slow) poll: with the
// poll set to an hour, a request file is still claimed (deleted) and answered.
import { readdir, writeFile } from 'node:fs/promises';
import { tempDir, waitFor } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { createMonitor } from './monitor.js';
import { installProfilingSignals, requestFilePath } from './profiling-triggers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('a cpuprofile request file is answered through the directory watch', async () => {
  const dir = await tempDir('mailyard-triggers-');
  cleanups.push(() => dir.cleanup());
  const quiet = () => undefined;
  const logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  const monitor = createMonitor({ logger, dataDir: dir.path, processName: 'watched', cpuProfileSeconds: 1 });
  cleanups.push(installProfilingSignals(monitor, { requestPollMs: 3_600_000 }));
  const profilesDir = monitor.profilesDir;
  const request = requestFilePath(profilesDir, 'cpuprofile', 'watched');
  // The watch starts once install has made the directory; until a profile appears the request file is written
  // again (a write the watch reports), so a request made before the watch was in place is not lost.
  const written = await waitFor(
    async () => {
      const names = await readdir(profilesDir).catch(() => null);
      if (!names) return undefined;
      const profile = names.find((name) => name.endsWith('.cpuprofile'));
      if (!profile) await writeFile(request, '');
      return profile;
    },
    20_000,
    200,
  );
  expect(written).toMatch(/^watched-/);
});
