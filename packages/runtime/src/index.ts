/**
 * @mailyard/runtime: how a Mailyard process starts and stops, written once for all of them (mx, outbound, imap,
 * api).
 *
 * A main.ts is one call: runProcess({ processName }, async (booted) => { build, listen; return stopApp }).
 * Start, in bootProcess: load configuration (MAILYARD_* variables), create the logger named after the PM2 process,
 * create the data dir layout, master key and TLS pair when missing (keys/master.key, tls/), open the control store
 * (control.db) and, unless told not to, the mail store (mailboxes/, spool/), then start process monitoring (health
 * sampling, profiling triggers, /metrics and /health on metrics.<processName>Port).
 * The app then builds its servers from what was booted and listens; main.ts is the only place that does.
 *
 * Stop, in serveUntilSignalled: SIGTERM or SIGINT runs the app's stop within the shutdown deadline (30 s by
 * default, PM2's kill_timeout). The order inside stop is the app's: stop accepting, let sessions and work in flight
 * finish, then BootedProcess.close() stops monitoring and closes the mail store before the control store.
 *
 * Invariants:
 * - Signal handlers are installed before PM2 hears `ready`: a supervisor may signal the moment it does.
 * - Only the first signal starts a shutdown; later ones are logged and ignored, never cut a close short.
 * - Exit code 0 only when stop finished; 1 when it failed or outlasted the deadline.
 * - Importing this module starts nothing.
 * listenServer / closeServer bind and unbind every app's server (net, tls or http), the one listen/close.
 * listenWithImplicitTls serves a protocol on its plain and its implicit-TLS port (RFC 8314), as imap and pop3 do.
 * openStores is the same store opening for short-lived commands (the CLI), without logger, monitoring or signals.
 */
export { type Booted, type BootedProcess, type BootOptions, bootProcess, instanceMonitoring } from './boot-process.js';
export { closeServer, listenServer } from './listen-server.js';
export { type ImplicitTlsListeners, type Listener, listenWithImplicitTls } from './listen-with-implicit-tls.js';
export { type OpenedStores, openControl, openMailstore, openStores } from './open-stores.js';
export { controlQuotaSource } from './quota-source.js';
export { type RunProcessOptions, runProcess, type StopApp } from './run-process.js';
export { type ServeUntilSignalledOptions, serveUntilSignalled } from './serve-until-signalled.js';
