/**
 * SEARCH keys added by extensions, for the SEARCH program parser (search-query.ts) to try before it answers
 * "unknown key": WITHIN (RFC 5032 §4: OLDER/YOUNGER nz-number, seconds), SAVEDATE (RFC 8514 §4: SAVEDBEFORE,
 * SAVEDON, SAVEDSINCE date, SAVEDATESUPPORTED), OBJECTID (RFC 8474 §5: EMAILID/THREADID objectid) and
 * SEARCHRES (RFC 5182 §2.1: `$`, the result a SEARCH RETURN (SAVE) kept, as UIDs).
 */
import { InputSyntaxError } from '@mailyard/errors';
import { parseSearchDate, type SearchQuery } from './search-query.js';

/** RFC 8474 §7: objectid = 1*255(ALPHA / DIGIT / "_" / "-"). */
const OBJECT_ID = /^[A-Za-z0-9_-]{1,255}$/;

export interface ExtensionKeyContext {
  /** The session's saved search result (SEARCHRES), as UIDs; undefined when nothing was saved. */
  saved?: readonly number[];
}

function seconds(text: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text)) throw new InputSyntaxError(`Invalid interval ${text}`);
  return Number(text);
}

function objectId(text: string): string {
  if (!OBJECT_ID.test(text)) throw new InputSyntaxError(`Invalid object id ${text}`);
  return text;
}

/**
 * The query for an extension key (`key` lower-cased), reading its argument with `next`; undefined when the key
 * is not an extension key. `$` matches nothing when no result was saved (RFC 5182 §2.1).
 */
export function extensionSearchKey(
  key: string,
  next: (what: string) => string,
  ctx: ExtensionKeyContext = {},
): SearchQuery | undefined {
  switch (key) {
    case 'older':
    case 'younger':
      return { key, seconds: seconds(next('interval')) };
    case 'savedbefore':
    case 'savedon':
    case 'savedsince':
      return { key, date: parseSearchDate(next('date')) };
    case 'savedatesupported':
      // RFC 8514 §4.1: every folder here keeps save dates, so the key matches every message.
      return { key: 'all' };
    case 'emailid':
    case 'threadid':
      return { key, id: objectId(next('object id')) };
    case '$':
      return { key: 'uid', set: [...(ctx.saved ?? [])] };
    default:
      return undefined;
  }
}
