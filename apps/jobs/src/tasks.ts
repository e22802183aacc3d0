// What each scheduled job does, as a JobTask over the job context (config, logger, alert). The worker files in
// jobs/ only bind a task to its name; tests call the logic below them directly.
// Each task imports what it needs when it runs: a job runs in a fresh worker thread, which loads every module it
// imports. One module graph for all of them (PM2's client, the control store, DNS, backups) cost every run, even
// cleanup-tmp's, about 0.65 s of CPU; now a run loads its own task's modules only.
import { type Config, dataPaths, ensureRuntimeFiles } from '@mailyard/config';
import type { JobTask } from './job-runtime.js';
import { cleanupAreas, cleanupTmp } from './tmp-cleanup.js';

/** The control store of the data dir, for a job that reads or prunes it. */
async function openControl(config: Config) {
  const { openControlStore } = await import('@mailyard/control');
  const { masterKey, paths } = await ensureRuntimeFiles(config);
  return openControlStore({ dataDir: paths.root, masterKey });
}

/** check-pm2 needs a PM2 daemon; pm_id is set in the environment of every process PM2 starts. */
export const checkPm2Task: JobTask = async ({ config, alert }) => {
  if (process.env.pm_id === undefined) return { skipped: 'not running under PM2' };
  const { checkPm2, connectPm2 } = await import('./pm2-health.js');
  const pm2 = await connectPm2(process.env.PM2_HOME);
  try {
    return await checkPm2(pm2, { minUptimeMs: config.pm2.minUptimeMs, alert });
  } finally {
    await pm2.disconnect();
  }
};

export const cleanupTmpTask: JobTask = async ({ config }) => {
  const areas = cleanupAreas(dataPaths(config), {
    tmpMs: config.tmp.retentionMs,
    profilesMs: config.monitor.profileRetentionMs,
  });
  return cleanupTmp(areas);
};

/** Time of the newest complete backup, from its directory name; undefined when there is none. */
export async function lastBackupAt(backupsDir: string): Promise<number | undefined> {
  const { listBackups } = await import('./backups/make-backup.js');
  const newest = (await listBackups(backupsDir)).at(-1);
  if (!newest) return undefined;
  const iso = newest.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})-(\d{3})Z$/, '$1-$2-$3T$4:$5:$6.$7Z');
  return Date.parse(iso);
}

/**
 * The backup job runs hourly and makes a backup when the newest one is older than backup.intervalMs, so restarts
 * of the jobs process (each deploy) never postpone backups indefinitely.
 */
export const backupTask: JobTask = async ({ config, alert }) => {
  const paths = dataPaths(config);
  const last = await lastBackupAt(paths.backups);
  if (last !== undefined && Date.now() - last < config.backup.intervalMs) {
    return { skipped: 'not due', lastBackupAt: new Date(last).toISOString() };
  }
  const { makeBackup } = await import('./backups/make-backup.js');
  const report = await makeBackup({ dataDir: paths.root, retentionCount: config.backup.retentionCount });
  if (report.skipped.length > 0) {
    alert('warn', `backup skipped ${report.skipped.length} mailbox(es)`, { skipped: report.skipped, dir: report.dir });
  }
  return report;
};

export const checkDomainsTask: JobTask = async ({ config, alert }) => {
  const { defaultResolver } = await import('@mailyard/control');
  const { recheckDomains } = await import('./domain-checks.js');
  const control = await openControl(config);
  try {
    return await recheckDomains(control, { hostname: config.hostname, resolver: defaultResolver(config), alert });
  } finally {
    await control.close();
  }
};

/**
 * Drops mail log events (GET /v1/logs) older than MAIL_EVENT_RETENTION_MS, and with the same retention what is
 * over in the outbound queue (final items and their delivery log), the webhook queue (delivered or given up) and
 * the records of messages sent through the API (GET /v1/emails): each would otherwise grow forever.
 */
export const pruneMailLogTask: JobTask = async ({ config }) => {
  const { MAIL_EVENT_RETENTION_MS } = await import('@mailyard/control');
  const control = await openControl(config);
  try {
    const before = new Date(Date.now() - MAIL_EVENT_RETENTION_MS);
    const deleted = await control.pruneMailEvents(before);
    return { deleted, ...(await control.pruneDeliveryHistory(before)), before: before.toISOString() };
  } finally {
    await control.close();
  }
};

export const checkQueueTask: JobTask = async ({ config, alert }) => {
  const { checkQueue } = await import('./queue-checks.js');
  const control = await openControl(config);
  try {
    return await checkQueue(control, { alert });
  } finally {
    await control.close();
  }
};
