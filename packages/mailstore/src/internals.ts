/**
 * @mailyard/mailstore/internals: the store's layers below the Mailstore interface, for the benchmarks in bench/
 * that measure one layer at a time (ingest, listing cache, search, full-text indexing on a 100 000-message
 * folder) without the spool and the locks around it. Apps never import this entry point: they use '.', whose
 * types are the store's public contract. Nothing here is stable.
 */
export { createDefaultFolders, type FolderRef, findFolder } from './folders.js';
export { indexAllPending } from './fts.js';
export { commitMessage, prepareMessage } from './ingest.js';
export { readKeyFile, unwrapWithPassword } from './keys.js';
export { ListingCache } from './listing.js';
export { copyMessages, storeFlags } from './messages.js';
export { mailboxPaths } from './paths.js';
export { type Db, openDatabase } from './schema.js';
export { headerMatchFunction, searchFolder } from './search.js';
