/**
 * The one place mailstore calls @mailyard/mail: indexMessage (once per ingest), getSection (FETCH BODY[...])
 * and threadLinks. Parsing and MIME rules live there; this store never parses a message itself.
 */
export { getSection as sectionOf, type IndexedMessage, indexMessage, threadLinks } from '@mailyard/mail';
