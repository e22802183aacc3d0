// runProcess: a whole main.ts lifecycle in one call, bootProcess and serveUntilSignalled joined around the app's
// own start.
import { type Booted, type BootOptions, bootProcess } from './boot-process.js';
import { serveUntilSignalled } from './serve-until-signalled.js';

/** Stops what the app started: stop accepting, finish sessions or work in flight. */
export type StopApp = () => Promise<unknown>;

export interface RunProcessOptions extends BootOptions {
  /**
   * Give up this long before pm2.shutdownTimeoutMs (PM2's kill_timeout), so the process's own exit and log line
   * come before PM2's SIGKILL. Default 0: the deadline is pm2.shutdownTimeoutMs itself.
   */
  exitBeforeKillMs?: number;
}

/**
 * Boots the process, runs start (which builds the app from what was booted, listens, and returns how to stop it),
 * then serves until SIGTERM/SIGINT: stopApp, then monitoring and the stores close, all within the deadline. A
 * failure to start is printed and exits 1, so PM2 restarts the process.
 */
export function runProcess<O extends RunProcessOptions>(options: O, start: (booted: Booted<O>) => Promise<StopApp>) {
  startAndServe(options, start).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

async function startAndServe<O extends RunProcessOptions>(options: O, start: (booted: Booted<O>) => Promise<StopApp>) {
  const booted = await bootProcess(options);
  const stopApp = await start(booted);
  serveUntilSignalled({
    logger: booted.logger,
    processName: options.processName,
    shutdownTimeoutMs: booted.config.pm2.shutdownTimeoutMs - (options.exitBeforeKillMs ?? 0),
    stop: async () => {
      await stopApp();
      await booted.close();
    },
  });
}
