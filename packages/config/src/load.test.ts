import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'mailyard-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeJson(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config.dataDir).toBe('./data');
    expect(config.bind).toBe('127.0.0.1');
    expect(config.allowInsecureAuth).toBe(false);
    expect(config.smtp).toMatchObject({
      mxPort: 2525,
      submissionPort: 2587,
      submissionTlsPort: 2465,
      maxMessageSize: 52_428_800,
      maxRecipients: 50,
      dailySendLimit: 300,
      authFailuresPerIpPerHour: 10,
      outboundMaxAgeMs: 5 * 86_400_000,
    });
    expect(config.imap).toMatchObject({
      port: 2143,
      tlsPort: 2993,
      idleTimeoutMs: 1_800_000,
      authFailuresPerIpPerHour: 10,
    });
    expect(config.pop3).toMatchObject({
      port: 2110,
      tlsPort: 2995,
      authFailuresPerIpPerHour: 10,
      maxConnectionsPerIp: 20,
      maxConnectionsPerUser: 5,
    });
    expect(config.api).toMatchObject({ port: 4000, signupOpen: false });
    expect(config.web.port).toBe(3000);
    expect(config.limits).toEqual({
      inflightBytes: 5_368_709_120,
      timeoutMs: 180_000,
      minTransferBytesPerSecond: 1024,
    });
    expect(config.mailbox.quotaBytes).toBe(10_737_418_240);
    expect(config.monitor).toMatchObject({
      heapLimitBytes: 2 * 1024 ** 3,
      freeMemoryPercent: 25,
      cpuPercent: 80,
      diskPercent: 75,
      sampleIntervalMs: 10_000,
    });
    expect(config.tmp.retentionMs).toBe(86_400_000);
    expect(config.masterKey).toBeUndefined();
    expect(config.mongodbUri).toBeUndefined();
    expect(config.hostname.length).toBeGreaterThan(0);
  });
});

describe('protocol limits', () => {
  test('each protocol has its own failed-login limit, and POP3 its connection limits, from the environment', () => {
    const config = loadConfig({
      env: {
        MAILYARD_IMAP_AUTH_FAILURES_PER_IP_PER_HOUR: '3',
        MAILYARD_POP3_AUTH_FAILURES_PER_IP_PER_HOUR: '4',
        MAILYARD_POP3_MAX_CONNECTIONS_PER_IP: '7',
        MAILYARD_POP3_MAX_CONNECTIONS_PER_USER: '2',
      },
    });
    expect(config.smtp.authFailuresPerIpPerHour).toBe(10);
    expect(config.imap.authFailuresPerIpPerHour).toBe(3);
    expect(config.pop3).toMatchObject({
      authFailuresPerIpPerHour: 4,
      maxConnectionsPerIp: 7,
      maxConnectionsPerUser: 2,
    });
    expect(() => loadConfig({ env: { MAILYARD_POP3_MAX_CONNECTIONS_PER_USER: '0' } })).toThrow(ConfigError);
  });
});

describe('sources and precedence', () => {
  test('environment variables are coerced by type and sizes and durations take units', () => {
    const config = loadConfig({
      env: {
        MAILYARD_SMTP_MX_PORT: '25',
        MAILYARD_API_SIGNUP_OPEN: 'yes',
        MAILYARD_ALLOW_INSECURE_AUTH: '1',
        MAILYARD_SMTP_MAX_MESSAGE_SIZE: '25MB',
        MAILYARD_LIMITS_INFLIGHT_BYTES: '1048576',
        MAILYARD_IMAP_IDLE_TIMEOUT_MS: '45m',
        MAILYARD_MONITOR_CPU_PERCENT: '90.5',
        MAILYARD_DNS_RESOLVER: '127.0.0.1:5353',
        MAILYARD_LOG_LEVEL: 'debug',
        MAILYARD_REDIS_URL: '',
        PATH: '/usr/bin',
      },
    });
    expect(config.smtp.mxPort).toBe(25);
    expect(config.api.signupOpen).toBe(true);
    expect(config.allowInsecureAuth).toBe(true);
    expect(config.smtp.maxMessageSize).toBe(25 * 1024 * 1024);
    expect(config.limits.inflightBytes).toBe(1_048_576);
    expect(config.imap.idleTimeoutMs).toBe(45 * 60_000);
    expect(config.monitor.cpuPercent).toBe(90.5);
    expect(config.dns.resolver).toBe('127.0.0.1:5353');
    expect(config.log.level).toBe('debug');
    expect(config.redisUrl).toBeUndefined();
  });

  test('defaults < file < environment < overrides', () => {
    const file = writeJson(
      'layers.json',
      JSON.stringify({ smtp: { mxPort: 1025, maxRecipients: 20 }, imap: { port: 1143 } }),
    );
    const config = loadConfig({
      file,
      env: { MAILYARD_SMTP_MX_PORT: '2025', MAILYARD_IMAP_PORT: '2143' },
      overrides: { imap: { port: 0 } },
    });
    expect(config.smtp.maxRecipients).toBe(20);
    expect(config.smtp.mxPort).toBe(2025);
    expect(config.imap.port).toBe(0);
    expect(config.smtp.submissionPort).toBe(2587);
  });

  test('MAILYARD_CONFIG names the file and is not reported as an unknown variable', () => {
    const file = writeJson('from-env.json', JSON.stringify({ api: { port: 4100 }, backup: { retentionCount: 3 } }));
    const config = loadConfig({ env: { MAILYARD_CONFIG: file } });
    expect(config.api.port).toBe(4100);
    expect(config.backup.retentionCount).toBe(3);
  });
});

describe('bad configuration gives one clear ConfigError', () => {
  test('a port out of range names the path, the variable, the value and the range', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_SMTP_MX_PORT: '70000' } }));
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain('smtp.mxPort (MAILYARD_SMTP_MX_PORT): got 70000');
    expect(error.message).toContain('from environment variable MAILYARD_SMTP_MX_PORT');
    expect(error.message).toContain('an integer from 0 to 65535');
  });

  test('a port that is not a number', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_IMAP_PORT: 'imap' } }));
    expect(error.problems[0]).toMatchObject({ setting: 'imap.port', envVar: 'MAILYARD_IMAP_PORT', value: '"imap"' });
  });

  test('a negative size', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_SMTP_MAX_MESSAGE_SIZE: '-5' } }));
    expect(error.problems[0]?.setting).toBe('smtp.maxMessageSize');
    expect(error.message).toContain('got "-5"');
    expect(error.message).toContain('a byte count of at least 1');
  });

  test('a size with an unknown unit', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_MAILBOX_QUOTA_BYTES: '10 parsecs' } }));
    expect(error.problems[0]?.setting).toBe('mailbox.quotaBytes');
  });

  test('a bad boolean', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_API_SIGNUP_OPEN: 'maybe' } }));
    expect(error.message).toContain('api.signupOpen (MAILYARD_API_SIGNUP_OPEN): got "maybe"');
    expect(error.message).toContain('true or false');
  });

  test('an unknown MAILYARD_ variable is a typo, with a suggestion', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_SMTP_MX_PROT: '25' } }));
    expect(error.problems[0]?.envVar).toBe('MAILYARD_SMTP_MX_PROT');
    expect(error.message).toContain('unknown environment variable');
    expect(error.message).toContain('did you mean MAILYARD_SMTP_MX_PORT?');
  });

  test('a config file that is not JSON', () => {
    const file = writeJson('broken.json', '{ "smtp": { mxPort: 25 }');
    const error = configError(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain(`config file ${file}`);
    expect(error.message).toContain('is not valid JSON');
  });

  test('a config file that does not exist', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_CONFIG: join(dir, 'missing.json') } }));
    expect(error.message).toContain('not found');
    expect(error.message).toContain('MAILYARD_CONFIG');
  });

  test('an unknown key in the config file names the file and suggests the setting', () => {
    const file = writeJson('typo.json', JSON.stringify({ smtp: { mxPrt: 25 } }));
    const error = configError(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain(`smtp.mxPrt: unknown setting (from config file ${file})`);
    expect(error.message).toContain('did you mean smtp.mxPort?');
  });

  test('a wrong type in the file names the file as the source', () => {
    const file = writeJson('types.json', JSON.stringify({ imap: { idleTimeoutMs: true } }));
    const error = configError(() => loadConfig({ file, env: {} }));
    expect(error.problems[0]).toMatchObject({ setting: 'imap.idleTimeoutMs', source: `config file ${file}` });
  });

  test('every problem is reported at once', () => {
    const error = configError(() =>
      loadConfig({ env: { MAILYARD_SMTP_MX_PORT: '-1', MAILYARD_LOG_LEVEL: 'loud', MAILYARD_NOPE: 'x' } }),
    );
    expect(error.problems.map((problem) => problem.setting ?? problem.envVar).sort()).toEqual([
      'MAILYARD_NOPE',
      'log.level',
      'smtp.mxPort',
    ]);
    expect(error.message).toContain('one of fatal, error, warn, info, debug, trace, silent');
  });

  test('secret values are never echoed', () => {
    const secret = 'not-a-key-but-still-secret';
    const error = configError(() => loadConfig({ env: { MAILYARD_MASTER_KEY: secret } }));
    expect(error.message).toContain('masterKey (MAILYARD_MASTER_KEY)');
    expect(error.message).not.toContain(secret);
  });

  test('cross-field rules: tls key and certificate go together', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_TLS_KEY_PATH: '/etc/ssl/key.pem' } }));
    expect(error.message).toContain('tls.keyPath and tls.certPath must be set together');
  });

  test('format checks: resolver, URLs, email, kdf cost', () => {
    const error = configError(() =>
      loadConfig({
        env: {
          MAILYARD_DNS_RESOLVER: 'dns server',
          MAILYARD_REDIS_URL: 'http://localhost',
          MAILYARD_ALERTS_ADMIN_EMAIL: 'root',
          MAILYARD_MAILBOX_KDF_COST: '10000',
          MAILYARD_BIND: 'everywhere',
        },
      }),
    );
    expect(error.problems.map((problem) => problem.setting).sort()).toEqual([
      'alerts.adminEmail',
      'bind',
      'dns.resolver',
      'mailbox.kdfCost',
      'redisUrl',
    ]);
  });
});

describe('settings for backends that are not built', () => {
  test('a well-formed MongoDB URI is refused with a clear message', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_MONGODB_URI: 'mongodb://db:27017/mail' } }));
    const problems = error.problems.map((problem) => `${problem.setting}: ${problem.message}`);
    expect(problems).toEqual([expect.stringMatching(/^mongodbUri: .*MongoDB control store is not built yet/)]);
  });
});

describe('Redis coordination', () => {
  test('redis://, rediss:// and unix:// addresses are accepted, with a CA file for TLS', () => {
    for (const url of ['redis://cache:6379', 'rediss://:secret@cache:6380/2', 'unix:///run/redis/redis.sock?db=1']) {
      expect(loadConfig({ env: { MAILYARD_REDIS_URL: url } }).redisUrl).toBe(url);
    }
    const config = loadConfig({ env: { MAILYARD_REDIS_URL: 'rediss://cache', MAILYARD_REDIS_CA_PATH: '/etc/ca.pem' } });
    expect(config.redisCaPath).toBe('/etc/ca.pem');
  });

  test('instances per process, without Redis too (the POP3 maildrop lock holds across processes either way)', () => {
    const config = loadConfig({
      env: { MAILYARD_IMAP_INSTANCES: '2', MAILYARD_SMTP_MX_INSTANCES: '3', MAILYARD_SMTP_OUTBOUND_INSTANCES: '2' },
    });
    expect([config.imap.instances, config.smtp.mxInstances, config.smtp.outboundInstances]).toEqual([2, 3, 2]);
    expect(config.api.instances).toBe(1);
  });

  test('a setting of a process merged into another is refused with what to set instead, from either source', () => {
    const fromEnv = configError(() =>
      loadConfig({ env: { MAILYARD_POP3_INSTANCES: '2', MAILYARD_SMTP_SUBMISSION_INSTANCES: '2' } }),
    );
    expect(fromEnv.problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^pop3\.instances \(MAILYARD_POP3_INSTANCES\): removed setting .*set imap\.instances/),
      expect.stringMatching(/^smtp\.submissionInstances .*removed setting .*set smtp\.outboundInstances/),
    ]);
    expect(fromEnv.problems[0]?.envVar).toBe('MAILYARD_POP3_INSTANCES');
    const file = writeJson('merged.json', JSON.stringify({ metrics: { pop3Port: 9104, submissionPort: 9102 } }));
    const fromFile = configError(() => loadConfig({ env: {}, file }));
    expect(fromFile.problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^metrics\.pop3Port .*removed setting \(from config file .*metrics\.imapPort$/),
      expect.stringMatching(/^metrics\.submissionPort .*removed setting .*metrics\.outboundPort$/),
    ]);
  });

  test('another scheme is refused without echoing the value (it may hold a password)', () => {
    const error = configError(() => loadConfig({ env: { MAILYARD_REDIS_URL: 'http://user:hunter2@cache' } }));
    expect(error.problems.map((problem) => problem.setting)).toEqual(['redisUrl']);
    expect(error.message).not.toContain('hunter2');
  });
});
