// The last step of every main.ts: install the SIGTERM/SIGINT handlers, then tell PM2 the process is ready, and on
// the first signal run the process's stop within a deadline. Depends on nothing but Node, so a bare child process
// can exercise it in tests.

import type { MinimalLogger } from '@mailyard/logger';

export interface ServeUntilSignalledOptions {
  logger: MinimalLogger;
  /** PM2 process name (mx, imap, ...); log lines read "<processName> shutting down". */
  processName: string;
  /** After this long the process exits 1 even if stop has not finished (PM2's kill_timeout follows soon after). */
  shutdownTimeoutMs: number;
  /** Stops accepting, finishes or hands back work, stops monitoring, closes stores. Runs once. */
  stop: () => Promise<void>;
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Installs the signal handlers, then sends PM2 `ready` (a supervisor may signal the moment it hears it). The first
 * signal logs "<processName> shutting down" and runs stop: exit 0 when it resolves, exit 1 when it rejects or
 * outlasts shutdownTimeoutMs. Later signals are logged and ignored, so a second Ctrl-C cannot cut a close short.
 */
export function serveUntilSignalled(options: ServeUntilSignalledOptions): void {
  const { logger, processName } = options;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.info({ signal }, `${processName} already shutting down; signal ignored`);
      return;
    }
    stopping = true;
    logger.info({ signal }, `${processName} shutting down`);
    void stopWithinDeadline(options);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  process.send?.('ready');
}

async function stopWithinDeadline({ logger, processName, shutdownTimeoutMs, stop }: ServeUntilSignalledOptions) {
  // Not unref'd: a stop that waits on nothing but a promise must still end in exit 1, not in a silent exit 0.
  setTimeout(() => {
    logger.error({ shutdownTimeoutMs }, `${processName} did not stop in time; exiting`);
    process.exit(1);
  }, shutdownTimeoutMs);
  try {
    await stop();
  } catch (err) {
    logger.error({ err }, `${processName} shutdown failed`);
    process.exit(1);
  }
  process.exit(0);
}
