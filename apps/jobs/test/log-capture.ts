// A real pino logger (from @mailyard/logger) writing JSON lines into memory, for assertions on log output.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@mailyard/logger';

export interface CapturedLog {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
}

export function captureLogger(): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination, pretty: false }), lines };
}
