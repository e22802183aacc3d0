/**
 * A real logger for tests that assert on log output: @mailyard/logger's pino logger (the production one, redaction
 * and code-bug counting included) writing its JSON lines into memory instead of stdout.
 */
import { createLogger, type Logger } from '@mailyard/logger';

/** One line as pino wrote it, parsed (pino's numeric levels: 20 debug, 30 info, 40 warn, 50 error). */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface LogCapture {
  logger: Logger;
  /** Every line so far, parsed, in order; the same array grows as the logger writes. */
  readonly lines: LogLine[];
  /** Everything written, as text (to check that a secret never reached the log). */
  readonly text: string;
  /** The lines at `level` or above (40: warnings and errors). */
  atLeast(level: number): LogLine[];
  /** The `code bug` lines (reportError's line for an error that is never expected). */
  codeBugs(): LogLine[];
}

export interface LogCaptureOptions {
  /** The lowest level written; default 'debug', so a test sees everything the code logs. */
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** The logger's `name` field; default 'mailyard', as in production. */
  name?: string;
}

export function captureLog(options: LogCaptureOptions = {}): LogCapture {
  const written: string[] = [];
  const lines: LogLine[] = [];
  const destination = {
    write(chunk: string) {
      written.push(chunk);
      for (const text of chunk.split('\n')) if (text) lines.push(JSON.parse(text) as LogLine);
    },
  };
  const logger = createLogger({ level: options.level ?? 'debug', name: options.name, destination, pretty: false });
  return {
    logger,
    lines,
    get text() {
      return written.join('');
    },
    atLeast: (level) => lines.filter((line) => line.level >= level),
    codeBugs: () => lines.filter((line) => line.msg === 'code bug'),
  };
}
