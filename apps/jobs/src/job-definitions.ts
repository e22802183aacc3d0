// The schedule of the jobs process: what runs, how often, and how long a run may take before it is terminated.
// deliver-outbound is not here: the smtp app's `outbound` worker (apps/smtp/src/outbound) owns delivery.
// retention (Trash and Junk after mailbox.trashRetentionDays) is not here either: the server cannot open a
// mailbox without its password (zero-access), so it has to run when a session unlocks the mailbox
// (docs/operations.md, "Retention").
import type { Config } from '@mailyard/config';
import type { JobDefinition } from './scheduler.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const JOB_NAMES = [
  'check-pm2',
  'check-queue',
  'cleanup-tmp',
  'check-domains',
  'backup',
  'prune-mail-log',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

export function scheduledJobs(config: Config): JobDefinition[] {
  return [
    // The first check waits a whole interval: right after a start every process is younger than minUptimeMs.
    { name: 'check-pm2', intervalMs: config.pm2.checkIntervalMs, firstRunMs: false, maxRunMs: 2 * MINUTE },
    // First run 12 min after start, not 2: mail queued for over an hour is what it alerts on, and a run costs about
    // 0.35 s of CPU (a worker thread loading its modules), which a fresh server need not spend in its first minutes.
    { name: 'check-queue', intervalMs: 15 * MINUTE, firstRunMs: 12 * MINUTE, maxRunMs: 5 * MINUTE },
    // First run 20 min after start, not one: a fresh server stays quiet through its first minutes (a run is a worker
    // thread that loads its modules: about 0.25 s of CPU, issue 15), and leftovers of a crash are a day old before
    // they are due anyway (tmp.retentionMs).
    { name: 'cleanup-tmp', intervalMs: HOUR, firstRunMs: 20 * MINUTE, maxRunMs: 10 * MINUTE },
    { name: 'check-domains', intervalMs: HOUR, firstRunMs: 5 * MINUTE, maxRunMs: 15 * MINUTE },
    // The mail log keeps MAIL_EVENT_RETENTION_MS (30 days); an hourly prune keeps each DELETE small.
    { name: 'prune-mail-log', intervalMs: HOUR, firstRunMs: 15 * MINUTE, maxRunMs: 10 * MINUTE },
    // Hourly look; a backup is made only when the newest is older than backup.intervalMs (tasks.ts).
    {
      name: 'backup',
      intervalMs: Math.min(HOUR, config.backup.intervalMs),
      firstRunMs: 10 * MINUTE,
      maxRunMs: 3 * HOUR,
    },
  ];
}
