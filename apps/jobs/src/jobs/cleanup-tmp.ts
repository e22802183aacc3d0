// Bree worker for the cleanup-tmp job; see tasks.ts.
import { runAsWorker } from '../job-runtime.js';
import { cleanupTmpTask } from '../tasks.js';

runAsWorker('cleanup-tmp', cleanupTmpTask);
