/**
 * MinimalLogger: the one logger type Mailyard's packages code against. Four levels, each called with a details
 * object first and a message, the way pino is called; @mailyard/logger's Logger (pino) satisfies it, and so does a
 * test's recording logger. It lives here because every package that logs already depends on @mailyard/errors
 * (which must not depend on @mailyard/logger: the logger depends on it); @mailyard/logger re-exports it.
 */
export interface MinimalLogger {
  debug(details: object, message?: string): void;
  info(details: object, message?: string): void;
  warn(details: object, message?: string): void;
  error(details: object, message?: string): void;
}
