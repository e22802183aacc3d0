// Bree worker for the check-queue job; see tasks.ts.
import { runAsWorker } from '../job-runtime.js';
import { checkQueueTask } from '../tasks.js';

runAsWorker('check-queue', checkQueueTask);
