/**
 * @mailyard/jobs — the jobs process: a Bree scheduler running each background job in a worker thread
 * (dist/jobs/<name>.js), the alert path of the server, and the jobs process's own monitoring.
 *
 * Jobs (job-definitions.ts): check-pm2 every 20 min (healthy = online for pm2.minUptimeMs; only stopped or errored
 * processes are restarted, once per check), check-queue every 15 min, cleanup-tmp hourly (data/tmp, profiles,
 * spool leftovers past their retention), check-domains hourly (DNS re-verification, RFC 7208/6376/7489 records,
 * stored with recordDnsCheck; a found ownership record verifies the domain, a vanished one withdraws a DNS
 * verification: @mailyard/control checkDomain), backup (hourly look, a backup when the newest is older than backup.intervalMs).
 * Outbound delivery is the smtp app's `outbound` process; mailbox retention cannot run here (zero-access).
 *
 * On disk: data/backups/<UTC timestamp>/ mirrors the data directory (control.db, mailboxes/, spool/) with a
 * manifest.json of SHA-256 sums; `node apps/jobs/dist/restore.js <backup-dir>` restores one. See
 * backups/live-database-copy.ts for why a keyless file copy of a live WAL database is consistent.
 *
 * Invariants:
 * - A job never runs twice at once (Bree skips a tick while its worker lives); a run past maxRunMs is terminated.
 * - A failed run is logged once with its classification (@mailyard/errors isCodeBug), alerted, counted in
 *   mailyard_job_runs_total{result="error"}, and simply runs again at its next scheduled time.
 * - Alerts are always logged; warn and error alerts are mailed to alerts.adminEmail through the outbound queue,
 *   the same message at most once an hour.
 * - Importing this module starts nothing; main.ts is the only place that starts the scheduler.
 */
export { type AlerterOptions, alertMessage, createAlerter } from './alert.js';
export { type BackupOptions, type BackupReport, listBackups, makeBackup } from './backups/make-backup.js';
export { type RestoreReport, restoreBackup } from './backups/restore-backup.js';
export { type DomainCheckReport, recheckDomains } from './domain-checks.js';
export { JOB_NAMES, type JobName, scheduledJobs } from './job-definitions.js';
export { type JobContext, type JobOutcome, type JobTask, runJob } from './job-runtime.js';
export { type JobsDeps, type JobsProcess, startJobsProcess } from './jobs-process.js';
export { checkPm2, connectPm2, judgeProcess, type Pm2CheckReport, type Pm2Control } from './pm2-health.js';
export { checkQueue, type QueueCheckReport } from './queue-checks.js';
export { createScheduler, type JobDefinition, type Scheduler } from './scheduler.js';
export { type CleanupArea, type CleanupReport, cleanupAreas, cleanupTmp } from './tmp-cleanup.js';
