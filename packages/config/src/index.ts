/**
 * Mailyard configuration: one zod schema (`configSchema`) declares every setting of every process, with a
 * description and a default for each. `loadConfig()` reads, lowest precedence first: schema defaults, a JSON
 * file (MAILYARD_CONFIG), MAILYARD_* environment variables (name = path in UPPER_SNAKE case:
 * smtp.mxPort -> MAILYARD_SMTP_MX_PORT), then code overrides. docs/configuration.md is generated from the
 * schema (`renderConfigDocs()`, CLI `dist/docs.js --write|--check`).
 *
 * On-disk layout made by `ensureRuntimeFiles()` under `dataDir` (directories mode 0700):
 *   keys/master.key   32 random bytes, mode 0600, made once and never overwritten (or MAILYARD_MASTER_KEY)
 *   tls/key.pem, tls/cert.pem   self-signed pair for the hostname, localhost and 127.0.0.1 when none is set
 *   mailboxes/ spool/ tmp/ profiles/ backups/   created empty; owned by mailstore, jobs, monitor (the outbound
 *                                              queue is a table of control.db, not a directory)
 *
 * Invariants:
 * - Every setting has a description, and a default or an explicit "unset" meaning; a test enforces it.
 * - A MAILYARD_* variable or file key that names no setting is an error (typo protection), except
 *   NON_SETTING_ENV_VARS. All problems surface in one ConfigError naming the setting, its variable, the value
 *   given and what is allowed; secret values are never echoed.
 * - Keys for other purposes come from `deriveKey(masterKey, purpose)` (HKDF-SHA256, RFC 5869), never from
 *   the master key directly.
 */
export { ConfigError, type ConfigProblem } from './config-error.js';
export { type LoadConfigOptions, loadConfig, NON_SETTING_ENV_VARS } from './load.js';
export { decodeMasterKey, deriveKey, MASTER_KEY_BYTES } from './master-key.js';
export { CONFIG_DOCS_PATH, REGENERATE_DOCS_COMMAND, renderConfigDocs } from './render-docs.js';
export { type DataPaths, dataPaths, ensureRuntimeFiles, type RuntimeFiles } from './runtime-files.js';
export { type Config, configSchema, type DeepPartial, parseResolver } from './schema.js';
export {
  envVarFor,
  listSections,
  listSettings,
  type SectionInfo,
  type SettingInfo,
  type SettingKind,
} from './settings.js';
export { createSelfSignedPair, type TlsPair } from './tls-certificate.js';
export { formatDuration, formatSize, parseDuration, parseSize } from './units.js';
