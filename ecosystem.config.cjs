// PM2 ecosystem: every Mailyard process. `npm start` runs it in the foreground with pm2-runtime; production runs
// it daemonised (see docs/operations.md). Apps that are not built yet are left out, so the file always starts.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = __dirname;
const dataDir = process.env.MAILYARD_DATA_DIR || join(root, 'data');
const logDir = join(dataDir, 'logs');

// name, app folder, args, instances, memory limit. Protocol servers keep per-process session state (unlocked
// mailbox handles, IDLE listeners), so they run in fork mode; api and web are stateless.
const processes = [
  { name: 'mx', app: 'smtp', args: ['mx'], instances: 1, memory: '512M' },
  { name: 'submission', app: 'smtp', args: ['submission'], instances: 1, memory: '512M' },
  { name: 'imap', app: 'imap', args: [], instances: 1, memory: '1G' },
  { name: 'pop3', app: 'pop3', args: [], instances: 1, memory: '512M' },
  { name: 'api', app: 'api', args: [], instances: 1, memory: '512M' },
  { name: 'web', app: 'web', args: [], instances: 1, memory: '512M' },
  { name: 'jobs', app: 'jobs', args: [], instances: 1, memory: '768M' },
];

module.exports = {
  apps: processes
    .map((p) => ({ ...p, script: join(root, 'apps', p.app, 'dist', 'main.js') }))
    .filter((p) => existsSync(p.script))
    .map((p) => ({
      name: p.name,
      script: p.script,
      args: p.args,
      cwd: root,
      instances: p.instances,
      exec_mode: 'fork',
      max_memory_restart: p.memory,
      wait_ready: true,
      listen_timeout: 15000,
      kill_timeout: 30000,
      shutdown_with_message: false,
      out_file: join(logDir, `${p.name}.out.log`),
      error_file: join(logDir, `${p.name}.err.log`),
      merge_logs: true,
      env: { NODE_ENV: 'production', MAILYARD_DATA_DIR: dataDir, MAILYARD_PROCESS: p.name },
    })),
};
