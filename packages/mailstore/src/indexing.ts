/**
 * The one place mailstore calls @mailyard/mail: indexMessage (once per ingest), getSection (FETCH BODY[...]),
 * getBinarySection (FETCH BINARY[...]), threadLinks, sortFields (SORT/THREAD keys) and messagePreview (PREVIEW). Parsing and MIME rules live there; this store never parses a message itself.
 */
export {
  type BinarySection,
  getBinarySection,
  getSection as sectionOf,
  type IndexedMessage,
  indexMessage,
  messagePreview,
  sortFields,
  threadLinks,
} from '@mailyard/mail';
