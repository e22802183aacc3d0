// Deep redaction of everything secret in what is about to be logged. pino's own `redact` option matches fixed
// paths with one wildcard per level, so a password three objects down or inside an array slips through; this
// walker looks at every key at every depth instead. It copies only the objects it changes (copy on write),
// so logging an object without secrets costs one walk and no allocation.
import { stdSerializers } from 'pino';

export const REDACTED = '[Redacted]';

const MAX_DEPTH = 12;

/** Key names (lower case, without '-', '_' and spaces) that hold a secret or message content. */
const SECRET_KEYS = new Set([
  'pass',
  'pwd',
  'authorization',
  'proxyauthorization',
  'cookie',
  'cookies',
  'setcookie',
  'dkimkey',
  'privkey',
  'body',
  'raw',
  'rawheaders',
  'content',
  'html',
  'credentials',
]);

/** Endings that make any key secret: newPassword, accessToken, clientSecret, dkimPrivateKey, x-api-key. */
const SECRET_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'token',
  'tokens',
  'secret',
  'apikey',
  'privatekey',
  'masterkey',
  'datakey',
  'recoverykey',
  'sessionkey',
];

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/** True when a field of this name holds a secret or message content, whatever its nesting. */
export function isSecretKey(key: string): boolean {
  const name = normalise(key);
  return SECRET_KEYS.has(name) || SECRET_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/@]+@/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g;
/**
 * Mailyard's own secrets, recognisable by their prefix wherever they are written (a request path such as
 * /v1/invites/myi_…/accept, a query string): API tokens and recipient verification tokens (myd_), invite secrets
 * (myi_). The prefix is kept so that a log still tells which kind of secret was there.
 */
const PREFIXED_SECRET = /\b(my[di]_)[A-Za-z0-9_-]{16,}/g;
const MAYBE_CREDENTIALS = /:\/\/|bearer|basic|digest|PRIVATE KEY|my[di]_/i;

/**
 * Credentials written inside text: passwords in URLs (redis://u:pw@h), HTTP auth schemes, PEM private keys, and
 * Mailyard's prefixed secrets.
 */
export function redactText(text: string): string {
  if (!MAYBE_CREDENTIALS.test(text)) return text;
  return text
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(PEM_PRIVATE_KEY, REDACTED)
    .replace(PREFIXED_SECRET, `$1${REDACTED}`);
}

type Walk = (value: unknown, depth: number) => unknown;

function redactArray(items: readonly unknown[], depth: number, walk: Walk): unknown[] {
  let copy: unknown[] | undefined;
  items.forEach((item, index) => {
    const redacted = walk(item, depth + 1);
    if (redacted === item) return;
    copy ??= [...items];
    copy[index] = redacted;
  });
  return copy ?? (items as unknown[]);
}

function redactFields(object: object, depth: number, walk: Walk, alwaysCopy: boolean): object {
  let copy: Record<string, unknown> | undefined = alwaysCopy ? {} : undefined;
  const entries = Object.entries(object);
  entries.forEach(([key, value], index) => {
    const redacted = isSecretKey(key) && value !== undefined && value !== null ? REDACTED : walk(value, depth + 1);
    if (copy) {
      copy[key] = redacted;
      return;
    }
    if (redacted === value) return;
    copy = Object.fromEntries(entries.slice(0, index));
    copy[key] = redacted;
  });
  return copy ?? object;
}

function isBinary(value: object): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * A copy of `value` safe to log: secret fields (see isSecretKey) at any depth replaced by '[Redacted]',
 * credentials in strings masked, Errors serialized (type, message, stack, own fields) and redacted,
 * binary data summarised (it may be message content). Unchanged values are returned as they are.
 */
export function redactSecrets<T>(value: T): T {
  const ancestors = new Set<object>();
  const walk: Walk = (current, depth) => {
    if (typeof current === 'string') return redactText(current);
    if (typeof current !== 'object' || current === null) return current;
    if (ancestors.has(current)) return '[Circular]';
    if (depth > MAX_DEPTH) return '[Too deep]';
    if (current instanceof Date) return current;
    if (isBinary(current)) return `[${current.constructor.name}: ${current.byteLength} bytes]`;
    ancestors.add(current);
    try {
      return walkObject(current, depth);
    } finally {
      ancestors.delete(current);
    }
  };
  const walkObject = (current: object, depth: number): unknown => {
    if (current instanceof Error) return redactFields(stdSerializers.err(current), depth, walk, true);
    if (current instanceof Map) return walk(Object.fromEntries(current), depth);
    if (current instanceof Set) return walk([...current], depth);
    if (Array.isArray(current)) return redactArray(current, depth, walk);
    if (hasToJson(current)) return walk(current.toJSON(), depth);
    return redactFields(current, depth, walk, false);
  };
  return walk(value, 0) as T;
}
