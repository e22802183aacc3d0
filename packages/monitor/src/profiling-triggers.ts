// Profiling on demand, from outside the process. See the module comment in index.ts for the operator's view.
//
// SIGUSR2 starts a CPU profile. A heap snapshot (and, on platforms without signals, a CPU profile too) is asked
// for by creating a request file in the profiles directory, noticed at once through a watch on the directory
// (inotify: nothing runs at rest) and, for file systems without one, by a look every requestPollMs (60 s; a
// look every 2 s cost about 0.07% of a core per process, 0.7% for the whole server at rest: issue 15):
//   <dataDir>/profiles/heapsnapshot.<pid>.request    or  heapsnapshot.<processName>.request
//   <dataDir>/profiles/cpuprofile.<pid>.request      or  cpuprofile.<processName>.request
// The process claims a request by deleting the file (unlink succeeds for exactly one claimant), so with several
// instances under one PM2 name exactly one of them answers a by-name request.

import { type FSWatcher, watch } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Monitor } from './monitor.js';

export interface ProfilingTriggerOptions {
  /** How often request files are looked for besides the directory watch. Default 60 s. */
  requestPollMs?: number;
  /** CPU profile length for SIGUSR2 and cpuprofile requests. Default: the monitor's cpuProfileSeconds. */
  cpuProfileSeconds?: number;
}

type RequestKind = 'heapsnapshot' | 'cpuprofile';
const REQUEST_KINDS: readonly RequestKind[] = ['heapsnapshot', 'cpuprofile'];

export function requestFilePath(profilesDir: string, kind: RequestKind, who: string | number): string {
  return path.join(profilesDir, `${kind}.${who}.request`);
}

/** Deletes the request file if present; true when this call removed it. */
async function claim(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch {
    return false;
  }
}

/** Installs the SIGUSR2 handler and the request-file poller; returns a function that removes both. */
export function installProfilingSignals(monitor: Monitor, options: ProfilingTriggerOptions = {}): () => void {
  const { logger, profilesDir, processName } = monitor;
  const seconds = options.cpuProfileSeconds ?? monitor.cpuProfileSeconds;

  function startCpuProfile(trigger: string): void {
    if (monitor.cpuProfileRunning) {
      logger.info({ trigger }, 'CPU profile already running; trigger ignored');
      return;
    }
    monitor.writeCpuProfile(seconds).catch((err: unknown) => logger.error({ err, trigger }, 'CPU profile failed'));
  }

  async function serve(kind: RequestKind): Promise<void> {
    const claims = await Promise.all(
      [process.pid, processName].map((who) => claim(requestFilePath(profilesDir, kind, who))),
    );
    if (!claims.includes(true)) return;
    if (kind === 'cpuprofile') return startCpuProfile('request file');
    await monitor.writeHeapSnapshot();
  }

  let polling = false;
  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      for (const kind of REQUEST_KINDS) await serve(kind);
    } catch (err) {
      logger.error({ err }, 'profiling request failed');
    } finally {
      polling = false;
    }
  }

  const onSignal = () => startCpuProfile('SIGUSR2');
  process.on('SIGUSR2', onSignal);
  let watcher: FSWatcher | undefined;
  let uninstalled = false;
  mkdir(profilesDir, { recursive: true })
    .then(() => {
      if (uninstalled) return;
      watcher = watchRequests(profilesDir, () => void poll());
    })
    .catch((err: unknown) => logger.warn({ err, profilesDir }, 'profiles directory could not be created'));
  const timer = setInterval(poll, options.requestPollMs ?? 60_000);
  timer.unref();
  logger.debug({ pid: process.pid, profilesDir }, 'profiling triggers installed (SIGUSR2, request files)');

  return () => {
    uninstalled = true;
    process.off('SIGUSR2', onSignal);
    clearInterval(timer);
    watcher?.close();
  };
}

/** Calls `onRequest` when a request file appears in `dir`; undefined when the directory cannot be watched. */
function watchRequests(dir: string, onRequest: () => void): FSWatcher | undefined {
  try {
    // persistent: false, like the unref'd timer: a watch must not keep the process alive.
    const watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (!name || String(name).endsWith('.request')) onRequest();
    });
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return undefined;
  }
}
