// The control store, the mail store and the coordination, opened from configuration the same way in every
// process and in the CLI.
import { readFile } from 'node:fs/promises';
import { type Config, ensureRuntimeFiles, type RuntimeFiles } from '@mailyard/config';
import { type ControlStore, openControlStore } from '@mailyard/control';
import { type Coordination, createCoordination, describeRedisUrl } from '@mailyard/coordination';
import { createLogger, type Logger, type MinimalLogger } from '@mailyard/logger';
import { type ChangeNotifier, Mailstore } from '@mailyard/mailstore';
import { metrics } from '@mailyard/monitor';
import { controlQuotaSource } from './quota-source.js';

/** The control store in the data dir (SQLite). */
export function openControl(runtime: RuntimeFiles): ControlStore {
  return openControlStore({ dataDir: runtime.paths.root, masterKey: runtime.masterKey });
}

/**
 * The mail store with the configured quota, password KDF cost and unlock grace period. `notifier` carries its change
 * events (a Coordination's events); default: the store's own files under the data dir.
 */
export function openMailstore(
  config: Config,
  runtime: RuntimeFiles,
  logger?: MinimalLogger,
  notifier?: ChangeNotifier,
  control?: ControlStore,
): Mailstore {
  return new Mailstore({
    dataDir: runtime.paths.root,
    quotaBytes: config.mailbox.quotaBytes,
    kdf: { N: config.mailbox.kdfCost },
    idleCloseMs: config.mailbox.unlockGraceMs,
    retentionDays: config.mailbox.trashRetentionDays,
    spamLearning: {
      enabled: config.mailbox.spamLearning,
      threshold: config.mailbox.spamLearningThreshold / 100,
      minTrained: config.mailbox.spamLearningMinTrained,
    },
    onDatabaseOpen: () => metrics.mailboxOpens.inc(),
    ...(logger ? { logger } : {}),
    ...(notifier ? { notifier } : {}),
    ...(control ? { quotaSource: controlQuotaSource(control, config.mailbox.quotaBytes) } : {}),
  });
}

export interface OpenedStores {
  runtime: RuntimeFiles;
  control: ControlStore;
  mailstore: Mailstore;
  /** Closes the mail store, the coordination (when Redis is configured), then the control store. */
  close(): Promise<void>;
}

/**
 * Both stores for a short-lived command (the CLI): creates the data dir layout and keys when missing. With Redis
 * configured, the mail store's change events go through a lazy Redis coordination (connected at the first event,
 * its warnings on stderr), as the long-running processes' do: they watch the event files only while Redis is
 * unusable, so a command that wrote its events to the files alone would not be heard by IDLE sessions.
 */
export async function openStores(config: Config, logger?: MinimalLogger): Promise<OpenedStores> {
  const runtime = await ensureRuntimeFiles(config);
  const control = openControl(runtime);
  const coordination = config.redisUrl
    ? await openCoordination(
        config,
        runtime,
        createLogger({ level: 'warn', name: 'cli', destination: process.stderr }),
        true,
      )
    : undefined;
  const mailstore = openMailstore(config, runtime, logger, coordination?.events, control);
  return {
    runtime,
    control,
    mailstore,
    async close() {
      await mailstore.close();
      await coordination?.close();
      await control.close();
    },
  };
}

/** Redis when redisUrl is set (the address logged only redacted), else the embedded implementation. */
export async function openCoordination(
  config: Config,
  runtime: RuntimeFiles,
  logger: Logger,
  lazy = false,
): Promise<Coordination> {
  const { redisUrl, redisCaPath } = config;
  if (redisUrl) logger.info({ redis: describeRedisUrl(redisUrl), lazy }, 'coordination over redis');
  return createCoordination({
    dataDir: runtime.paths.root,
    logger,
    redisUrl,
    redisTls: redisCaPath ? { ca: await readFile(redisCaPath) } : undefined,
    lazy,
  });
}
