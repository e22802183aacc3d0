// Bree worker for the check-domains job; see tasks.ts.
import { runAsWorker } from '../job-runtime.js';
import { checkDomainsTask } from '../tasks.js';

runAsWorker('check-domains', checkDomainsTask);
