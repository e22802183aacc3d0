// Bree worker for the backup job; see tasks.ts.
import { runAsWorker } from '../job-runtime.js';
import { backupTask } from '../tasks.js';

runAsWorker('backup', backupTask);
