/**
 * Redis addresses: `redis://[user[:password]@]host[:port][/db]`, `rediss://...` for TLS (the IANA `rediss`
 * scheme), and `unix:///path/to/socket[?db=N&password=...]` for a local socket. The password is percent-decoded
 * and kept out of every description: describeRedisUrl() is the only form of the address that may be logged.
 */
import { isIP } from 'node:net';
import { REDACTED } from '@mailyard/logger';

export interface RedisTlsOptions {
  /** CA certificate(s) in PEM that sign the server's certificate; default: the system's trusted CAs. */
  ca?: string | Buffer;
  /** Default true. */
  rejectUnauthorized?: boolean;
  /** Name checked against the certificate; default: the host of the URL. */
  servername?: string;
}

/** What ioredis is given: connection fields only, never the URL itself. */
export interface RedisConnection {
  host?: string;
  port?: number;
  path?: string;
  username?: string;
  password?: string;
  db: number;
  tls?: RedisTlsOptions;
}

const DEFAULT_PORT = 6379;

export function parseRedisUrl(url: string, tls: RedisTlsOptions = {}): RedisConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`not a Redis URL: ${describeRedisUrl(url)}`);
  }
  if (parsed.protocol === 'unix:') return unixConnection(parsed, url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(`a Redis URL starts with redis://, rediss:// or unix://: ${describeRedisUrl(url)}`);
  }
  if (!parsed.hostname) throw new TypeError(`a Redis URL needs a host: ${describeRedisUrl(url)}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const connection: RedisConnection = {
    host,
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORT,
    db: parseDb(parsed.pathname.slice(1), url),
    ...credentials(parsed.username, parsed.password),
  };
  // SNI carries host names only (RFC 6066 §3); an IP address is checked against the certificate without it.
  if (parsed.protocol === 'rediss:') connection.tls = { ...(isIP(host) ? {} : { servername: host }), ...tls };
  return connection;
}

function unixConnection(parsed: URL, url: string): RedisConnection {
  if (!parsed.pathname || parsed.pathname === '/') {
    throw new TypeError(`a unix:// Redis URL needs a socket path: ${describeRedisUrl(url)}`);
  }
  const password = parsed.searchParams.get('password') ?? '';
  return {
    path: decodeURIComponent(parsed.pathname),
    db: parseDb(parsed.searchParams.get('db') ?? '', url),
    ...(password ? { password } : {}),
  };
}

function credentials(username: string, password: string): Pick<RedisConnection, 'username' | 'password'> {
  return {
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
  };
}

function parseDb(text: string, url: string): number {
  if (text === '') return 0;
  if (!/^\d{1,5}$/.test(text))
    throw new TypeError(`a Redis database number is a small integer: ${describeRedisUrl(url)}`);
  return Number(text);
}

/** The address for logs and error messages: scheme, user, host, port, socket and database, never the password. */
export function describeRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparseable Redis URL)';
  }
  if (parsed.password) parsed.password = REDACTED;
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', REDACTED);
  return decodeURI(parsed.toString());
}
