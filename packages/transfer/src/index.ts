/**
 * @mailyard/transfer — moving a mailbox in and out: export as mbox (mboxrd), a Maildir++ tree, a zip of EML files,
 * or an encrypted copy of the database that only the password or recovery key opens; import mbox (mboxo/mboxrd),
 * Maildir trees (flags from file names, Dovecot keyword files), EML files and zip archives, and restore encrypted
 * copies. Everything streams message by message; imports go through the store's append (transfer.ts), and every
 * importer opens its input through openImportSource (source.ts). Used by the `mailyard export`/`import` commands,
 * the REST API's /v1/export and /v1/imports, and the dashboard's backup, import and restore pages.
 */
export { detectFormat, type ImportFormat, readSource } from './detect.js';
export { readEmlFiles, readEmlZip, writeEmlZip } from './eml.js';
export {
  HEARTBEAT_MS,
  JOBS_DIR,
  STALE_MS,
  STATUS_ENTRIES,
  STATUS_KEEP_MS,
  type TransferJobInput,
  type TransferJobKind,
  type TransferJobState,
  type TransferJobStatus,
  TransferJobs,
  type TransferJobsOptions,
} from './jobs.js';
export {
  COPY_DATABASE,
  COPY_KEY_FILE,
  type CopySecret,
  type CopyStream,
  isMailboxCopy,
  type OpenedCopy,
  openMailboxCopy,
  readMailboxCopy,
  streamMailboxCopy,
  writeMailboxCopy,
} from './mailbox-copy.js';
export { findMaildirs, readMaildir, writeMaildir } from './maildir.js';
export { readMbox, writeMbox } from './mbox.js';
export { ensureScratchDir, removeGoneScratch, type ScratchReport, scratchDir } from './scratch.js';
export { createSealedFile, readSealedFile, SEALED_CHUNK_BYTES, type SealedFile } from './sealed-file.js';
export { detectSource, type ImportSource, openImportSource, type SourceKind, type SourceOptions } from './source.js';
export {
  crlfMessage,
  type ExportOptions,
  exportMessages,
  exportSize,
  type ImportOptions,
  type ImportSummary,
  importMessages,
  messageIdOf,
  type SkippedMessage,
} from './transfer.js';
export type { ProgressCallback, ReadItem, TransferMessage, UnreadableMessage } from './types.js';
