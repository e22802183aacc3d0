// The one way Mailyard processes make loggers: JSON lines (pino) with {name, pid, hostname}, every object that
// is logged or bound to a child passed through redactSecrets first, pretty output for people at a terminal.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { type DestinationStream, type LevelWithSilentOrString, type Logger, pino, stdSerializers } from 'pino';
import { noteLogCall } from './code-bugs.js';
import { redactSecrets, redactText } from './redact.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** pino level name; default 'info'. */
  level?: LevelWithSilentOrString;
  /** Process or app name in every line; default 'mailyard'. */
  name?: string;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
  /** Human-readable lines via pino-pretty. Default: when no destination is given and stdout is a terminal. */
  pretty?: boolean;
}

type Serializer = (value: unknown) => unknown;

/** Turned into plain data before redaction, so that what gets redacted is what gets written. */
const SERIALIZERS: Record<string, Serializer> = {
  err: stdSerializers.err as Serializer,
  error: stdSerializers.err as Serializer,
  req: stdSerializers.req as Serializer,
  res: stdSerializers.res as Serializer,
};

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function serializeKnownFields(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, serialize] of Object.entries(SERIALIZERS)) {
    const value = object[key];
    if (!isObject(value)) continue;
    copy ??= { ...object };
    copy[key] = serialize(value);
  }
  return copy ?? object;
}

/** Applied by pino to each logged object and to child bindings, at every nesting depth. */
function safeForLog(object: Record<string, unknown>): Record<string, unknown> {
  return redactSecrets(serializeKnownFields(object));
}

/** pino-pretty is loaded only for pretty output: processes under PM2 write JSON lines and never load it (10 MB RSS). */
function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  const PinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return PinoPretty({
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    destination: destination ?? 1,
    sync: true,
  });
}

/**
 * A pino logger whose output never carries passwords, tokens, API keys, authorization headers, cookies,
 * private keys or message bodies, at any nesting depth (see redactSecrets). Per component and connection:
 * `childFor(logger, 'imap', newConnectionId())`, i.e. `logger.child({ component, cid })`.
 */
export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? (opts.destination === undefined && process.stdout.isTTY === true);
  const destination = pretty ? prettyStream(opts.destination) : opts.destination;
  const options = {
    level: opts.level ?? 'info',
    base: { name: opts.name ?? 'mailyard', pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: safeForLog, bindings: safeForLog },
    // Code bugs logged at error level or above are counted process-wide (code-bugs.ts), for the test runs.
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...args: unknown[]) => void, level: number) {
        noteLogCall(args, level);
        method.apply(this, args);
      },
    },
    serializers: {
      // Errors are serialized and redacted in formatters.log; pino's own err serializer would undo that.
      err: (value: unknown) => value,
      // The message, including printf-style interpolation and err.message, gets the in-text masking.
      msg: (value: unknown) => (typeof value === 'string' ? redactText(value) : value),
    },
  };
  return redactChildBindings(destination ? pino(options, destination) : pino(options));
}

/**
 * pino runs formatters.bindings for the root logger's base only, not for child() bindings, so every logger
 * handed out gets a child() that redacts its bindings first (and does the same for its own children).
 */
function redactChildBindings(logger: Logger): Logger {
  type ChildFn = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  const pinoChild = logger.child as unknown as ChildFn;
  const child: ChildFn = function (bindings, options) {
    return redactChildBindings(pinoChild.call(this, safeForLog(bindings), options));
  };
  logger.child = child as unknown as Logger['child'];
  return logger;
}

/** A child logger for one component and, for protocol servers, one connection. */
export function childFor(logger: Logger, component: string, cid?: string): Logger {
  return logger.child(cid === undefined ? { component } : { component, cid });
}

/** A short random connection id (8 URL-safe characters, 48 bits) to tie one session's log lines together. */
export function newConnectionId(): string {
  return randomBytes(6).toString('base64url');
}
