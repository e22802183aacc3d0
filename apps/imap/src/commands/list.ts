/**
 * LSUB (RFC 3501 §6.3.9) and what LIST shares with it (RFC 9051 §6.3.9): CHILDREN (RFC 3348) and SPECIAL-USE
 * (RFC 6154) attributes, and the pattern rules. The reference and the pattern are joined; `*` matches anything,
 * `%` anything but the "/" delimiter. LIST itself, with LIST-EXTENDED and LIST-STATUS, is list-extended.ts.
 */
import type { Folder } from '@mailyard/mailstore';
import { pathFromWire, pathToWire } from '../mailbox-names.js';
import type { Command } from '../protocol/command.js';
import { imapString } from '../protocol/encode.js';
import type { Session } from '../session.js';
import { astringBytes, expectArgs } from './args.js';

export const DELIMITER = '/';

/** A matcher for a LIST pattern (already decoded to a store path pattern). */
export function patternMatcher(pattern: string): (path: string) => boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '%' ? '[^/]*' : ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const inbox = /^inbox(\/|$)/i.test(pattern);
  const regex = new RegExp(`^${inbox ? source.replace(/^inbox/i, 'INBOX') : source}$`, inbox ? '' : '');
  return (path) => regex.test(path);
}

/** The LIST attributes of a folder: \HasChildren or \HasNoChildren, and its special use. */
export function folderAttributes(folder: Folder, all: Folder[]): string[] {
  const prefix = `${folder.path}${DELIMITER}`;
  const attrs = [all.some((f) => f.path.startsWith(prefix)) ? '\\HasChildren' : '\\HasNoChildren'];
  if (folder.specialUse) attrs.push(folder.specialUse);
  return attrs;
}

export function decodePattern(bytes: Buffer, utf8: boolean): string {
  // Wildcards are not part of a mailbox name: decode the parts around them. A part that is not a valid name
  // matches nothing, which is an empty answer, not an error (RFC 9051 §6.3.9 lists what matches).
  return bytes
    .toString('latin1')
    .split(/([*%])/)
    .map((part) => (part === '*' || part === '%' || part === '' ? part : lenientPath(part, utf8)))
    .join('');
}

function lenientPath(part: string, utf8: boolean): string {
  try {
    return pathFromWire(Buffer.from(part, 'latin1'), utf8);
  } catch {
    return Buffer.from(part, 'latin1').toString(utf8 ? 'utf8' : 'latin1');
  }
}

/** LSUB (RFC 3501 §6.3.9): the subscribed folders among those LIST would give. */
export const lsub: Command<Session> = {
  name: 'LSUB',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 2);
    const reference = astringBytes(args[0], 'reference');
    const pattern = astringBytes(args[1], 'mailbox pattern');
    if (pattern.length === 0) return undefined;
    const full = decodePattern(Buffer.concat([reference, pattern]), session.utf8);
    const matches = patternMatcher(full);
    const folders = session.requireMailbox().listFolders();
    for (const folder of folders) {
      if (!matches(folder.path) || !folder.subscribed) continue;
      const attrs = folderAttributes(folder, folders).join(' ');
      await io.untagged(`LSUB (${attrs}) "${DELIMITER}" ${imapString(pathToWire(folder.path, session.utf8))}`);
    }
    // RFC 3501 §6.3.9: a subscribed name whose folder was deleted is still listed, as \Noselect.
    for (const path of session.requireMailbox().orphanSubscriptions()) {
      if (matches(path))
        await io.untagged(`LSUB (\\Noselect) "${DELIMITER}" ${imapString(pathToWire(path, session.utf8))}`);
    }
    return undefined;
  },
};
