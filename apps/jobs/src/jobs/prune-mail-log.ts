// Bree worker for the prune-mail-log job; see tasks.ts.
import { runAsWorker } from '../job-runtime.js';
import { pruneMailLogTask } from '../tasks.js';

runAsWorker('prune-mail-log', pruneMailLogTask);
