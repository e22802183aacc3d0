// The module's promises about a process's life: importing starts nothing, and a started monitor with its
// profiling triggers never keeps a process alive. Checked in fresh child processes, where nothing else runs.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function runModuleScript(source: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', source],
    { cwd: packageDir, timeout: 15_000 },
  );
  return stdout.trim();
}

describe('process lifetime', () => {
  test('importing the module installs no handler and holds no timer or handle', async () => {
    // stdio pipes to this test are the only handles a bare script holds.
    const out = await runModuleScript(`
      await import('./src/index.ts');
      console.log(JSON.stringify({ sigusr2: process.listenerCount('SIGUSR2'), resources: process.getActiveResourcesInfo().filter((r) => r !== 'PipeWrap' && r !== 'TTYWrap') }));
    `);
    expect(JSON.parse(out)).toEqual({ sigusr2: 0, resources: [] });
  });

  test('a started monitor with profiling triggers lets the process exit; uninstall removes the handler', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mailyard-lifetime-'));
    try {
      const out = await runModuleScript(`
        const { createMonitor, installProfilingSignals } = await import('./src/index.ts');
        const quiet = () => {};
        const logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
        const monitor = createMonitor({ logger, dataDir: ${JSON.stringify(dataDir)}, processName: 'x', intervalMs: 50 });
        monitor.start();
        const uninstall = installProfilingSignals(monitor, { requestPollMs: 50 });
        const installed = process.listenerCount('SIGUSR2');
        uninstall();
        const uninstalled = process.listenerCount('SIGUSR2');
        installProfilingSignals(monitor, { requestPollMs: 50 });
        process.on('exit', () => console.log(JSON.stringify({ installed, uninstalled })));
      `);
      expect(JSON.parse(out)).toEqual({ installed: 1, uninstalled: 0 });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
