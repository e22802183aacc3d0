// What each scheduled job does, as a JobTask over the job context (config, logger, alert). The worker files in
// jobs/ only bind a task to its name; tests call the logic below them directly.
import { dataPaths, ensureRuntimeFiles } from '@mailyard/config';
import { defaultResolver, MAIL_EVENT_RETENTION_MS, openControlStore } from '@mailyard/control';
import { listBackups, makeBackup } from './backups/make-backup.js';
import { recheckDomains } from './domain-checks.js';
import type { JobTask } from './job-runtime.js';
import { checkPm2, connectPm2 } from './pm2-health.js';
import { checkQueue } from './queue-checks.js';
import { cleanupAreas, cleanupTmp } from './tmp-cleanup.js';

/** check-pm2 needs a PM2 daemon; pm_id is set in the environment of every process PM2 starts. */
export const checkPm2Task: JobTask = async ({ config, alert }) => {
  if (process.env.pm_id === undefined) return { skipped: 'not running under PM2' };
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
  const report = await makeBackup({ dataDir: paths.root, retentionCount: config.backup.retentionCount });
  if (report.skipped.length > 0) {
    alert('warn', `backup skipped ${report.skipped.length} mailbox(es)`, { skipped: report.skipped, dir: report.dir });
  }
  return report;
};

export const checkDomainsTask: JobTask = async ({ config, alert }) => {
  const { masterKey, paths } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey });
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
  const { masterKey, paths } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey });
  try {
    const before = new Date(Date.now() - MAIL_EVENT_RETENTION_MS);
    const deleted = await control.pruneMailEvents(before);
    return { deleted, ...(await control.pruneDeliveryHistory(before)), before: before.toISOString() };
  } finally {
    await control.close();
  }
};

export const checkQueueTask: JobTask = async ({ config, alert }) => {
  const { masterKey, paths } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey });
  try {
    return await checkQueue(control, { alert });
  } finally {
    await control.close();
  }
};
