// PM2 ecosystem: every Mailyard process. `npm start` runs it in the foreground with pm2-runtime; production runs it
// daemonised (`pm2 startOrGracefulReload ecosystem.config.cjs`, see docs/operations.md). Apps not built yet are
// left out, so the file always starts what exists.
//
// Settings come from the configuration package, as every process reads them (schema defaults, MAILYARD_CONFIG file,
// MAILYARD_* variables): the data directory and the shutdown grace (pm2.shutdownTimeoutMs, PM2's kill_timeout) are
// read through a short `node` call to @mailyard/config, which also refuses an invalid configuration here, before
// anything starts. Until packages/config is built, the defaults below apply.
//
// Four processes: POP3 and ManageSieve run inside imap, submission and the jobs scheduler inside outbound, the
// dashboard inside api (whose entry point is apps/web's main.js); docs/architecture.md says why (a Node process
// costs about 35 MB PSS and 75 MB RSS at rest) and what stays apart (the MX, alone with the internet's mail).
//
// Instances (docs/architecture.md, Scaling): mx, outbound, imap and api run as many instances as their setting asks
// (MAILYARD_SMTP_MX_INSTANCES, MAILYARD_SMTP_OUTBOUND_INSTANCES, MAILYARD_IMAP_INSTANCES, MAILYARD_API_INSTANCES;
// default 1 each), under one PM2 name per process. A process with more than one instance runs in
// PM2 cluster mode: PM2's daemon is the cluster primary, holds each listening socket and hands connections to the
// instances in turn, so they share the configured ports (Node 20's net.Server has no SO_REUSEPORT option, and cluster
// mode is what lets `pm2 reload` replace instances one at a time without closing the port). PM2 numbers them in
// NODE_APP_INSTANCE; instance k > 0 serves its own /metrics on metrics.<name>Port + 100 k (@mailyard/runtime).
// One instance runs in fork mode, as before (the api always in cluster mode: PM2 cluster mode loads ESM entry points
// through import(); checked with pm2 6.0.7). With MAILYARD_REDIS_URL the instances share failed-login and
// rate-limit counters; mailbox change events and the POP3 maildrop lock reach every instance on the machine either
// way. The outbound instances claim queue items in control.db (one claim per item); only outbound instance 0 runs
// the jobs schedule (jobs must not run twice). POP3 and ManageSieve run in every instance of imap, submission in
// every instance of outbound, the dashboard in every instance of api.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = __dirname;

/** dataDir, pm2.shutdownTimeoutMs, the instances and limits.inflightBytes as @mailyard/config resolves them (it throws on an invalid configuration). */
function readSettings() {
  const configEntry = join(root, 'packages', 'config', 'dist', 'index.js');
  const fallback = {
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: read when PM2 starts, never by a turbo task
    dataDir: resolve(root, process.env.MAILYARD_DATA_DIR || 'data'),
    shutdownTimeoutMs: 30000,
    instances: { mx: 1, outbound: 1, imap: 1, api: 1 },
    inflightBytes: 5 * 1024 ** 3,
  };
  if (!existsSync(configEntry)) return fallback;
  const script = [
    'const { loadConfig } = await import(process.argv[1]);',
    'const c = loadConfig();',
    'const instances = { mx: c.smtp.mxInstances, outbound: c.smtp.outboundInstances, imap: c.imap.instances,',
    '  api: c.api.instances };',
    'const picked = { dataDir: c.dataDir, shutdownTimeoutMs: c.pm2.shutdownTimeoutMs, instances,',
    '  inflightBytes: c.limits.inflightBytes };',
    'console.log(JSON.stringify(picked));',
  ].join('\n');
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, configEntry], {
    cwd: root,
    encoding: 'utf8',
  });
  const settings = JSON.parse(output);
  return { ...settings, dataDir: resolve(root, settings.dataDir) };
}

const settings = readSettings();
const logDir = join(settings.dataDir, 'logs');
const instances = settings.instances;
/** Cluster mode (shared ports) for more than one instance; fork mode for one. */
const modeFor = (count) => (count > 1 ? 'cluster' : 'fork');

// name, app folder, arguments, mode, instances, memory limit (restart past it; sized for the targets in
// docs/architecture.md: imap holds one page cache per unlocked mailbox, outbound's jobs copy files for backups).
// inflight: the in-flight byte budget of the process (limits.inflightBytes, lowered to this when set higher), so
// message bytes held in memory can never push it past its restart line. The SMTP processes: about 115 MB RSS idle,
// and a byte in the budget costs up to two bytes of RSS (a queued copy is collected, then joined), so
// 115 MB + 2 x 160 MiB stays under 512 MB. Messages past 1 MiB spill to an encrypted file and hold only about
// 1 MiB of the budget while received: one 45 MB message peaked at 146-158 MB RSS, three at once at 146-165 MB
// (bench/smtp/large-messages.ts).
const SMTP_INFLIGHT = 160 * 1024 ** 2;
// Memory at rest (issue 15; measured with `npm run bench:table -- --rest-only`, figures in docs/operations.md):
// - a young-generation semi-space of 2 MB instead of V8's 16 MB for the protocol servers, whose work is many
//   small, short-lived allocations per connection (scavenges stay cheap), and of 1 MB for the quiet processes:
//   about 10-25 MB less RSS each at rest, as the 16 MB semi-spaces filled while modules loaded stay committed;
// - MALLOC_ARENA_MAX=2: glibc otherwise gives each thread that allocates (libuv's pool, V8's helpers) an arena
//   of its own, and each keeps what it freed.
const BUSY = ['--max-semi-space-size=2'];
const QUIET = ['--max-semi-space-size=1'];
const processes = [
  {
    name: 'mx',
    app: 'smtp',
    args: ['mx'],
    mode: modeFor(instances.mx),
    instances: instances.mx,
    memory: '512M',
    inflight: SMTP_INFLIGHT,
    nodeArgs: BUSY,
  },
  {
    name: 'outbound',
    app: 'smtp',
    args: ['outbound'],
    mode: modeFor(instances.outbound),
    instances: instances.outbound,
    // Also submission's listeners (which share the in-flight budget with the queue worker, half each, so the two
    // together stay within 160 MiB) and the jobs scheduler, whose jobs copy files for backups in worker threads.
    memory: '768M',
    inflight: SMTP_INFLIGHT,
    nodeArgs: QUIET,
  },
  // imap, which also serves POP3 (pop3.port, pop3.tlsPort: the same mail store and page caches) and ManageSieve
  // (managesieve.port: only the control store, at most a 64 KiB script per session in memory): the 2 MB semi-space also keeps 1,000 IDLE connections at about 25 MB less RSS (bench/imap
  // prints the figure; it starts the server with these node_args). MALLOC_MMAP_THRESHOLD_ pins glibc's
  // mmap threshold at 1 MB: without it, freeing scrypt's 16 MB buffers at each first login raises the threshold
  // and every malloc arena then keeps what it frees (1,000 IDLE connections: about 200 MB RSS instead of 128 MB).
  {
    name: 'imap',
    app: 'imap',
    args: [],
    mode: modeFor(instances.imap),
    instances: instances.imap,
    memory: '1G',
    nodeArgs: BUSY,
    env: { MALLOC_MMAP_THRESHOLD_: '1048576' },
  },
  // api: the REST API and the dashboard (web.port) in one process; its entry point is the web app's main.ts, which
  // starts both (@mailyard/api cannot import the dashboard: the dashboard's tests import the API).
  { name: 'api', app: 'web', args: [], mode: 'cluster', instances: instances.api, memory: '512M', nodeArgs: QUIET },
];

module.exports = {
  apps: processes
    .map((p) => ({ ...p, script: join(root, 'apps', p.app, 'dist', 'main.js') }))
    .filter((p) => existsSync(p.script))
    .map((p) => ({
      name: p.name,
      script: p.script,
      args: p.args,
      node_args: p.nodeArgs,
      cwd: root,
      exec_mode: p.mode,
      instances: p.instances,
      max_memory_restart: p.memory,
      // Each process calls process.send('ready') once it listens; PM2 counts it online only then (15 s allowed:
      // the first start creates the master key and a self-signed certificate).
      // No @pm2/io in the apps: PM2 otherwise loads it into every process (about 13 MB RSS each) and it reports
      // metrics to the daemon over IPC every second, waking both at rest; /metrics (@mailyard/monitor) covers it.
      pmx: false,
      automation: false,
      wait_ready: true,
      listen_timeout: 15000,
      // SIGINT, then SIGKILL after this long: every process stops accepting and finishes its work within it.
      kill_timeout: settings.shutdownTimeoutMs,
      // Crash loops: a process that dies within 10 s of starting counts as unstable; after 10 such restarts PM2
      // marks it errored and the jobs scheduler's check-pm2 alerts and restarts it once per check (no tight loop).
      min_uptime: 10000,
      max_restarts: 10,
      exp_backoff_restart_delay: 200,
      out_file: join(logDir, `${p.name}.out.log`),
      error_file: join(logDir, `${p.name}.err.log`),
      merge_logs: true,
      time: false,
      env: {
        NODE_ENV: 'production',
        MAILYARD_DATA_DIR: settings.dataDir,
        ...(p.inflight ? { MAILYARD_LIMITS_INFLIGHT_BYTES: String(Math.min(settings.inflightBytes, p.inflight)) } : {}),
        MALLOC_ARENA_MAX: '2',
        ...p.env,
      },
    })),
};
