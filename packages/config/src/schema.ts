// Every setting of the whole server, declared once. Each field carries its description and default; the
// environment variable name is derived from its path (smtp.mxPort -> MAILYARD_SMTP_MX_PORT), and
// docs/configuration.md is generated from this file. The reason for each default number sits beside it.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { z } from 'zod';
import { decodeMasterKey } from './master-key.js';
import {
  choice,
  count,
  duration,
  flag,
  optional,
  percent,
  port,
  section,
  settingRegistry,
  size,
  text,
} from './setting-types.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const REDIS_URL = /^(?:rediss?:\/\/[^\s]+|unix:\/\/\/[^\s]+)$/i;
const RESOLVER = /^(?:\[([0-9a-f:.]+)\]|([^\s:[\]]+))(?::(\d{1,5}))?$/i;

/** Splits a resolver address 'host', 'host:port' or '[v6]:port' (port 53 when absent); undefined if malformed. */
export function parseResolver(value: string): { host: string; port: number } | undefined {
  const match = RESOLVER.exec(value);
  if (!match) return undefined;
  const host = match[1] ?? match[2] ?? '';
  const port = match[3] === undefined ? 53 : Number(match[3]);
  return port > 0 && port <= 65535 ? { host, port } : undefined;
}

/**
 * A setting reserved for a backend that is not built: any value is refused, so nobody runs believing data is shared
 * or stored where it is not.
 */
function notBuilt(what: string) {
  return z.string().refine(() => false, { message: `${what} is not built yet: unset this setting` });
}

/** PM2 instances of a process: see docs/architecture.md (Scaling). */
function instances(processName: string, extra = '') {
  return count(
    1,
    `PM2 instances of the ${processName} process, sharing its ports (PM2 cluster mode). With redisUrl set they share ` +
      `failed-login and rate-limit counters; without it each instance counts for itself.${extra}`,
    1,
  );
}

/** os.hostname() when it is a valid DNS name (some containers use odd ones), else 'localhost'. */
function machineHostname(): string {
  const name = hostname();
  return HOSTNAME.test(name) ? name : 'localhost';
}

const hostnameField = z.string().regex(HOSTNAME).default(machineHostname).register(settingRegistry, {
  description: 'Name this server uses in SMTP greetings, Received headers and its self-signed certificate.',
  allowed: 'a DNS hostname such as mail.example.com',
  docDefault: 'the machine hostname (os.hostname(), or localhost when that is no DNS name)',
});

const bindField = z
  .string()
  .refine((value) => isIP(value) !== 0)
  .default('127.0.0.1')
  .register(settingRegistry, {
    description: 'Address every listener binds to; 0.0.0.0 (or ::) for production behind the port forwards.',
    allowed: 'an IPv4 or IPv6 address',
  });

const masterKeyField = optional(
  z.string().refine((value) => decodeMasterKey(value) !== undefined),
  {
    description:
      'Server secret given from outside instead of data/keys/master.key. Must equal that file when both exist.',
    allowed: '32 bytes as 64 hex digits or as base64',
    secret: true,
  },
);

const tls = section('TLS certificate for STARTTLS and implicit TLS on every listener.', {
  keyPath: optional(z.string().min(1), {
    description: 'PEM private key file. When keyPath and certPath are unset, a self-signed pair is made in data/tls.',
    allowed: 'a file path (set together with tls.certPath)',
  }),
  certPath: optional(z.string().min(1), {
    description: 'PEM certificate chain file, leaf first.',
    allowed: 'a file path (set together with tls.keyPath)',
  }),
});

const log = section('Logging (pino, JSON lines on stdout).', {
  level: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info', 'Lowest level written.'),
  pretty: optional(z.boolean(), {
    description: 'Human-readable output instead of JSON. Unset: pretty when stdout is a terminal.',
  }),
});

const smtp = section('SMTP: inbound MX, submission, and outbound delivery (RFC 5321, RFC 6409).', {
  mxPort: port(2525, 'Inbound MX listener (no AUTH, STARTTLS offered). Production maps port 25 here.'),
  submissionPort: port(2587, 'Submission with STARTTLS (RFC 6409). Production maps port 587 here.'),
  submissionTlsPort: port(2465, 'Submission over implicit TLS (RFC 8314). Production maps port 465 here.'),
  maxMessageSize: size(50 * MiB, 'Largest message accepted, announced in EHLO SIZE (RFC 1870).', 1),
  maxRecipients: count(
    50,
    'Most RCPT TO per message; more get 452 (RFC 5321 §4.5.3.1.8 lets servers refuse past their limit).',
    1,
  ),
  maxConnectionsPerIp: count(10, 'Concurrent SMTP connections from one client IP address.', 1),
  messagesPerSenderPerHour: count(100, 'Messages one authenticated sender may submit per hour.', 1),
  dailySendLimit: count(300, 'Messages sent per day, counted separately for each alias and for each domain.', 1),
  authFailuresPerIpPerHour: count(10, 'Failed AUTH attempts per client IP per hour before AUTH is refused.', 1),
  socketTimeoutMs: duration(5 * MINUTE, 'Idle time before a session is closed (RFC 5321 §4.5.3.2.7: 5 minutes).'),
  // A pre-greet test (Postfix's postscreen greet check, opt-in there) only catches bots that talk before the
  // 220, while each connection then waits the pause: 100 ms capped one sender connection at about 9 messages/s.
  // Off by default, as in Postfix; at most 30 s, far inside the 5 minutes a client waits for the greeting.
  mxGreetingDelayMs: duration(
    0,
    'Pause before the 220 greeting on the MX; a client that sends a command within it gets 421 and is disconnected ' +
      '(pre-greet test against bots that do not wait for the greeting, RFC 5321 §4.3.1). 0 greets at once.',
    0,
    30_000,
  ),
  submissionGreetingDelayMs: duration(
    0,
    'Pause before the 220 greeting on submission, as mxGreetingDelayMs. 0 greets at once: clients there log in.',
    0,
    30_000,
  ),
  outboundMaxAgeMs: duration(5 * DAY, 'How long outbound delivery retries on 4xx before a bounce (DSN, RFC 3464).'),
  outboundConcurrency: count(10, 'Outbound deliveries in progress at once.', 1),
  mxInstances: instances('mx'),
  outboundInstances: count(
    1,
    'PM2 instances of the outbound process, which also serves submission (its ports shared by the instances, PM2 ' +
      'cluster mode; with redisUrl set they share failed-login and rate-limit counters, else each instance counts for ' +
      'itself). They claim queue items in control.db (one claim per item, whatever the number of instances); ' +
      'outboundConcurrency applies to each.',
    1,
  ),
});

const imap = section('IMAP4rev1 (RFC 3501) with the extensions listed in docs/rfc-status.md.', {
  port: port(2143, 'IMAP with STARTTLS. Production maps port 143 here.'),
  instances: instances(
    'imap',
    ' The imap process also serves POP3 and ManageSieve. Mailbox change events and the POP3 maildrop lock reach ' +
      'every instance either way.',
  ),
  tlsPort: port(2993, 'IMAP over implicit TLS (RFC 8314). Production maps port 993 here.'),
  maxLineBytes: size(64 * 1024, 'Longest command line outside literals; RFC 9051 §4 suggests at least 8192.', 1024),
  maxLiteralBytes: size(50 * MiB, 'Largest literal (APPEND message); kept equal to smtp.maxMessageSize.', 1),
  maxOtherLiteralBytes: size(
    64 * 1024,
    'Largest literal outside APPEND after login (names, search strings); larger ones get NO [TOOBIG].',
    1024,
  ),
  maxConnections: count(5000, 'Connections per IMAP listener; past it new ones get BYE [UNAVAILABLE].', 1),
  maxConnectionsPerUser: count(20, 'Concurrent logged-in connections per mailbox (clients open several).', 1),
  maxConnectionsPerIp: count(50, 'Concurrent connections from one client IP address.', 1),
  idleTimeoutMs: duration(30 * MINUTE, 'Inactivity before logout; RFC 9051 §5.4 requires at least 30 minutes.'),
  authFailuresPerIpPerHour: count(
    10,
    'Failed LOGIN/AUTHENTICATE attempts per client IP per hour; past it logins from that IP get NO [LIMIT].',
    1,
  ),
});

const pop3 = section('POP3 (RFC 1939, STLS from RFC 2595), served by the imap process.', {
  port: port(2110, 'POP3 with STLS. Production maps port 110 here.'),
  tlsPort: port(2995, 'POP3 over implicit TLS (RFC 8314). Production maps port 995 here.'),
  idleTimeoutMs: duration(10 * MINUTE, 'Inactivity before the session ends; RFC 1939 §3 requires at least 10 minutes.'),
  authFailuresPerIpPerHour: count(
    10,
    'Failed USER/PASS and AUTH attempts per client IP per hour; past it logins from that IP are refused.',
    1,
  ),
  maxConnectionsPerIp: count(20, 'Concurrent POP3 connections from one client IP address.', 1),
  maxConnections: count(
    1000,
    'Concurrent POP3 sessions per listener, from all addresses: a session holds a socket, its listing and at most ' +
      'one message being sent, so 1,000 stays well inside memory and the usual 65,536 file descriptors.',
    1,
  ),
  maxConnectionsPerUser: count(
    5,
    'Concurrent POP3 logins per user name, in progress or logged in (one session per mailbox holds the lock).',
    1,
  ),
});

const managesieve = section(
  'ManageSieve (RFC 5804): mail clients manage their Sieve scripts (STARTTLS, no implicit TLS).',
  {
    port: port(4190, 'ManageSieve listener with STARTTLS; 4190 is its IANA port (RFC 5804 §1.8).'),
    idleTimeoutMs: duration(
      30 * MINUTE,
      'Inactivity before the server says BYE: clients keep a session open while a person edits a script.',
    ),
    authFailuresPerIpPerHour: count(
      10,
      'Failed AUTHENTICATE attempts per client IP (and per user + IP) per hour; past it logins get NO (TRYLATER).',
      1,
    ),
    maxConnectionsPerIp: count(10, 'Concurrent ManageSieve connections from one client IP address.', 1),
    maxConnections: count(
      500,
      'Concurrent ManageSieve sessions: a session holds a socket and at most one script (64 KiB) being read.',
      1,
    ),
  },
);

const api = section('REST API (/v1).', {
  port: port(4000, 'HTTP listener of the REST API.'),
  instances: instances('api', ' The dashboard (web.port) is served by the same process and instances.'),
  signupOpen: flag(false, 'Whether anyone may create an account through the API without an admin token.'),
  bodyLimitBytes: size(MiB, 'Largest JSON request body; raw message uploads are bounded by smtp.maxMessageSize.', 1),
  importMaxBytes: size(
    512 * MiB,
    'Largest archive POST /v1/imports accepts (413 above it); the upload is held in memory while it arrives, reserved from limits.inflightBytes.',
    1,
  ),
  trustProxy: flag(false, 'Trust X-Forwarded-For from a reverse proxy for client addresses and rate limits.'),
  rateLimitPerIpPerMinute: count(
    1200,
    'Requests per minute from one client address, authenticated or not: 20 a second is generous for scripts, ' +
      'yet one address cannot monopolise the control store.',
    1,
  ),
  rateLimitPerTokenPerMinute: count(
    600,
    'Requests per minute with one API token: half the per-address limit, so one leaked or runaway token cannot ' +
      'use up the allowance of its whole address.',
    1,
  ),
});

const web = section('Web dashboard.', {
  port: port(3000, 'HTTP listener of the dashboard (served by the api process, so it runs as many instances).'),
  sessionSecret: optional(z.string().min(32), {
    description: "Cookie signing secret. Unset: derived from the master key (deriveKey(masterKey, 'web.session')).",
    allowed: 'a string of at least 32 characters',
    secret: true,
  }),
  sessionMaxAgeMs: duration(7 * DAY, 'Lifetime of a dashboard login session.'),
  uploadMaxBytes: size(
    GiB,
    'Largest file the backup page takes to import or restore (413 above it); written to tmp/uploads in the data ' +
      'directory as it arrives (never held in memory) and deleted when the import ends (after a crash, when the api ' +
      'process next starts).',
    1,
  ),
});

const limits = section('Resource limits shared by every protocol (see @mailyard/limits).', {
  inflightBytes: size(5 * GiB, 'Message bytes held in memory at once per process: 100 messages of 50 MiB.', 1),
  timeoutMs: duration(3 * MINUTE, 'Longest any single store, parse or delivery operation may take.', 1),
  minTransferBytesPerSecond: size(
    1024,
    'Slowest a client may read a reply once timeoutMs has passed (POP3 RETR and TOP today): a 2G mobile link ' +
      'still moves about 5 KiB a second, so only a client stalling on purpose goes slower.',
    1,
  ),
});

const mailbox = section('Mailbox storage and encryption.', {
  quotaBytes: size(10 * GiB, 'Default storage quota of a new mailbox.', 0),
  kdfCost: z
    .number()
    .int()
    .min(1024)
    .refine((value) => Number.isInteger(Math.log2(value)))
    .default(16384)
    .register(settingRegistry, {
      description: 'scrypt cost N for mailbox passwords: tens of milliseconds, cheap enough for client reconnects.',
      allowed: 'a power of two, at least 1024',
    }),
  unlockGraceMs: duration(MINUTE, 'How long an unlocked data key stays in memory after its last session ends.'),
  trashRetentionDays: count(
    30,
    'Days after which messages in Trash and Junk are deleted; applied whenever a process unlocks the mailbox (zero-access: the server cannot open it otherwise).',
    1,
  ),
  spamLearning: flag(
    true,
    'Each mailbox learns spam from its owner: COPY/MOVE into Junk or the $Junk keyword trains spam, out of Junk or $NotJunk trains ham, and the spool drain files likely spam into Junk (docs/spam.md).',
  ),
  // 90: the combined probability sits near 0.5 when evidence is weak or mixed, so 90 files only clear cases.
  spamLearningThreshold: percent(
    90,
    'Spam probability, in percent, at or above which the spool drain files a message bound for INBOX into Junk.',
  ),
  // 10 of each: fewer gives token counts too noisy to act on without filing mail the owner wants.
  spamLearningMinTrained: count(
    10,
    'Messages the owner must have trained as spam (into Junk, or $Junk), and as ham (out of Junk, or $NotJunk), before the drain files anything into Junk.',
    1,
  ),
});

const monitor = section('Health sampling, alerts and profiling (see @mailyard/monitor).', {
  sampleIntervalMs: duration(10_000, 'Time between health samples.', 1000),
  heapLimitBytes: size(2 * GiB, 'Heap used above this is unhealthy and triggers one automatic heap snapshot.', 1),
  freeMemoryPercent: percent(25, 'Free system memory at or under this percentage is unhealthy.'),
  cpuPercent: percent(80, 'CPU use at or over this percentage is unhealthy.'),
  diskPercent: percent(75, 'Disk use of the data directory at or over this percentage is unhealthy.'),
  consecutiveSamples: count(2, 'Unhealthy samples in a row before an alert, so one spike does not page anyone.', 1),
  profileSeconds: count(30, 'Length of a CPU profile taken on signal.', 1),
  profileRetentionMs: duration(DAY, 'Age after which CPU profiles and heap snapshots in data/profiles are deleted.'),
});

const metrics = section('Prometheus metrics listeners for processes without an HTTP port of their own.', {
  enabled: flag(true, 'Serve /metrics on the ports below (bound to the address in `bind`).'),
  mxPort: port(9101, 'Metrics of the mx process.'),
  imapPort: port(9103, 'Metrics of the imap process (IMAP, POP3 and ManageSieve).'),
  outboundPort: port(
    9106,
    'Metrics of the outbound process (submission, the outbound queue worker and the jobs scheduler).',
  ),
});

const HTTP_URL = /^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/i;
const HOST_PORT = /^(?:\[[0-9a-f:.]+\]|[^\s:[\]]+):\d{1,5}$/i;

const rspamd = section('rspamd as the spam engine of the MX (docs/spam.md); unset url: the built-in filter alone.', {
  url: optional(z.string().regex(HTTP_URL), {
    description:
      "Base URL of rspamd's normal worker; each inbound message is posted to its /checkv2 before the 250, and " +
      "rspamd's score and action replace the built-in thresholds. rspamd down or late (spam.timeoutMs): the " +
      'built-in filter decides alone and a warning is logged.',
    allowed: 'an http:// or https:// URL, e.g. http://127.0.0.1:11333',
  }),
  // Spam is small; rspamd parses the whole message, so a larger one costs it time for nothing (rspamd's own
  // max_message is 50 MiB).
  maxScanBytes: size(10 * MiB, 'Largest message sent to rspamd; a larger one is left to the built-in checks.', 1),
});

const clamd = section(
  'ClamAV virus scanning of inbound mail before the 250 (docs/spam.md). Unset socket and address: off.',
  {
    socket: optional(z.string().min(1), {
      description: "Path of clamd's unix socket (its LocalSocket). Infected mail is refused with 554 5.7.1.",
      allowed: 'a file path, e.g. /run/clamav/clamd.ctl',
    }),
    address: optional(z.string().regex(HOST_PORT), {
      description: "clamd's TCP address (its TCPAddr and TCPSocket), used when socket is unset.",
      allowed: "'host:port' or '[ipv6]:port'",
    }),
    // A large attachment takes clamd seconds to unpack and scan; the SMTP client waits up to 10 minutes for the
    // reply to the end of DATA (RFC 5321 §4.5.3.2.6).
    timeoutMs: duration(30_000, 'Time clamd gets for one message.', 1),
    failClosed: flag(
      false,
      'clamd down, late or failing: refuse with 451 4.7.1 (the sender retries) instead of delivering unscanned.',
    ),
    // clamd's default StreamMaxLength: clamd refuses a longer stream, so a larger message is not sent at all.
    maxScanBytes: size(
      25 * MiB,
      "Largest message sent to clamd (keep it at most clamd's StreamMaxLength); a larger one is delivered unscanned, " +
        'with an X-Virus-Status header saying so.',
      1,
    ),
  },
);

const pm2 = section('Process supervision checks run by the jobs process.', {
  checkIntervalMs: duration(20 * MINUTE, 'Time between checks of the PM2 process list.'),
  minUptimeMs: duration(15 * MINUTE, 'A process counts as healthy only after this long online (no restart loops).'),
  shutdownTimeoutMs: duration(30_000, 'Time a process gets after SIGTERM to finish or hand back its work.'),
});

const dns = section('DNS lookups for outbound MX, MTA-STS and domain verification.', {
  resolver: optional(
    z.string().refine((value) => parseResolver(value) !== undefined),
    {
      description:
        'DNS server to query instead of the system resolver. The SMTP processes keep the answers to the lookups of SPF, DKIM, DMARC, ARC and the spam checks (DNS blocklists, reverse DNS) 30 s ("no such record" answers too; failures not), so a record changed at its source is seen within 30 s.',
      allowed: "'host', 'host:port' or '[ipv6]:port'",
    },
  ),
  timeoutMs: duration(5000, 'Time allowed for one DNS query.', 1),
});

/** A spam score threshold: any number, one decimal shown (scores are sums of symbol scores, see docs/spam.md). */
function score(defaultValue: number, description: string) {
  return z.number().min(0).default(defaultValue).register(settingRegistry, { description });
}

const DNS_ZONES = /^\s*[a-z0-9.-]+\.[a-z]{2,}\.?(?:\s*,\s*[a-z0-9.-]+\.[a-z]{2,}\.?)*\s*$/i;

const spam = section('The built-in spam filter of the MX (docs/spam.md); domains may set their own thresholds.', {
  enabled: flag(true, 'Score every inbound message before the 250 reply, file it in Junk or refuse it.'),
  // SpamAssassin's long-standing "required" score; reject well above it so only near-certain spam is refused.
  junkScore: score(5, 'A message scoring at or above this goes to the Junk folder (domain setting overrides).'),
  rejectScore: score(15, 'A message scoring at or above this is refused with 550 5.7.1 (domain setting overrides).'),
  ipBlocklists: optional(z.string().regex(DNS_ZONES), {
    description:
      'DNS blocklist zones asked about the client IP (reversed octets, or IPv6 nibbles). Unset: none, because the ' +
      'public lists refuse queries that come through public or shared resolvers; use them through a resolver of ' +
      'your own (dns.resolver) and within their terms.',
    allowed: "comma-separated zone names, e.g. 'zen.spamhaus.org'",
  }),
  domainBlocklists: optional(z.string().regex(DNS_ZONES), {
    description:
      'Domain blocklist zones (URIBL style) asked about the sender domain and the domains linked in the message. ' +
      'Unset: none, for the same reason as ipBlocklists.',
    allowed: "comma-separated zone names, e.g. 'dbl.spamhaus.org'",
  }),
  // Large enough for nearly every text message with inline images; spam is small (SpamAssassin's spamc skips
  // anything over 500 KB for the same reason): a larger message is not read for content checks.
  maxScanBytes: size(MiB, 'Largest message the content checks read; a larger one is marked as not scanned.', 0),
  timeoutMs: duration(10_000, 'Time all checks of one message get; a check without an answer by then counts 0.', 1),
  greylistDelayMs: duration(5 * MINUTE, 'Greylisting: how soon a retry of a deferred message is accepted.'),
  // A month and a bit: a sender who writes monthly is not greylisted again.
  greylistExpiryMs: duration(35 * DAY, 'Greylisting: how long a client/sender/recipient triplet is remembered.', 1),
});

const alerts = section('Who hears about trouble.', {
  adminEmail: optional(z.email(), {
    description: 'Address that receives health alerts and job failures. Unset: alerts are only logged.',
    allowed: 'an email address',
  }),
});

const backup = section('Encrypted database copies made by the jobs process.', {
  intervalMs: duration(DAY, 'Time between backups.', MINUTE),
  retentionCount: count(7, 'Backups kept in data/backups; older ones are deleted.', 1),
});

const tmp = section('Temporary files in data/tmp.', {
  retentionMs: duration(DAY, 'Age after which temporary files are deleted by the cleanup job.', MINUTE),
});

const webhooks = section(
  'Webhooks: alias recipients that are URLs get each message as a signed JSON POST, retried through a durable queue.',
  {
    allowPrivate: flag(
      false,
      'Let webhooks reach private, loopback and link-local addresses, localhost, and plain http:// URLs. For ' +
        'development and tests only: in production this is how a webhook would reach internal services (SSRF).',
    ),
    maxInlineBytes: size(
      MiB,
      'Largest raw message, and largest total of attachment content, a webhook JSON carries inline; past it they ' +
        'are described without their content.',
      0,
    ),
  },
);

/** Every setting. */
export const configSchema = z.strictObject({
  dataDir: text('./data', 'Directory for keys, databases, spool, queue, TLS files, profiles and backups.'),
  hostname: hostnameField,
  bind: bindField,
  allowInsecureAuth: flag(false, 'Allow AUTH/LOGIN without TLS. For local testing only: passwords cross in clear.'),
  masterKey: masterKeyField,
  mongodbUri: optional(notBuilt('the MongoDB control store'), {
    description:
      'Reserved for a MongoDB control store, which is not built: any value is refused at start-up. Control data lives in data/control.db (SQLite).',
    allowed: 'nothing: the MongoDB control store is not built yet, leave it unset',
    secret: true,
  }),
  redisUrl: optional(z.string().regex(REDIS_URL), {
    description:
      'Redis shared by every instance of every process: mailbox change events (pub/sub), failed-login and rate-limit ' +
      'counters and the POP3 maildrop lock (see @mailyard/coordination). Unset: processes ' +
      'coordinate through files under the data dir and count limits each for itself. Redis holds no mail: while it ' +
      'is unreachable the processes keep serving with per-process limits (one warning logged) and reconnect.',
    allowed:
      'redis://[user:password@]host[:port][/db], rediss://… for TLS, or unix:///path/to/redis.sock[?db=N&password=…]',
    secret: true,
  }),
  redisCaPath: optional(z.string().min(1), {
    description:
      'PEM file of the CA (or the self-signed certificate) that signs the Redis server certificate, for a rediss:// ' +
      'redisUrl. Unset: the system trusted CAs.',
    allowed: 'a path to a PEM file',
  }),
  tls: tls.refine((value) => (value.keyPath === undefined) === (value.certPath === undefined), {
    message: 'tls.keyPath and tls.certPath must be set together',
  }),
  log,
  smtp,
  imap,
  pop3,
  managesieve,
  api,
  web,
  limits,
  mailbox,
  monitor,
  metrics,
  pm2,
  dns,
  spam,
  rspamd,
  clamd,
  alerts,
  backup,
  tmp,
  webhooks,
});

export type Config = z.infer<typeof configSchema>;

/** Every level of Config optional, for overrides in tests and tools. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
