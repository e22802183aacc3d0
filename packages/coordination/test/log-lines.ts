/** A real pino logger (createLogger) whose JSON lines are kept in memory, to check what coordination logs. */
import { createLogger, type Logger } from '@mailyard/logger';

export interface CapturedLog {
  logger: Logger;
  /** Every line as written. */
  readonly text: string;
  /** Parsed lines at or above `level` (pino numbers: 30 info, 40 warn). */
  lines(level?: number): Array<{ level: number; msg: string; [field: string]: unknown }>;
}

export function captureLog(): CapturedLog {
  const written: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => written.push(line) } });
  return {
    logger,
    get text() {
      return written.join('');
    },
    lines(level = 0) {
      return written.map((line) => JSON.parse(line)).filter((line) => line.level >= level);
    },
  };
}
