// Bree worker for the check-pm2 job; see tasks.ts.
import { runAsWorker } from '../job-runtime.js';
import { checkPm2Task } from '../tasks.js';

runAsWorker('check-pm2', checkPm2Task);
