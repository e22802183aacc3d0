/**
 * LIST with LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC 5819), the form IMAP4rev2 makes basic (RFC 9051
 * §6.3.9): `LIST [(selection options)] reference (pattern | (patterns)) [RETURN (return options)]`.
 * - Selection: SUBSCRIBED (only subscribed folders, with \Subscribed), REMOTE (no remote folders exist here, so
 *   it changes nothing), RECURSIVEMATCH (with SUBSCRIBED: a folder that is not itself selected but has a
 *   selected descendant the patterns do not list is listed with CHILDINFO ("SUBSCRIBED"), §3.5; alone it is
 *   BAD, §3), SPECIAL-USE
 *   (RFC 6154 §3: only folders with a special use).
 * - Return: CHILDREN (\HasChildren / \HasNoChildren are always sent, which §4 allows), SUBSCRIBED (\Subscribed),
 *   SPECIAL-USE (the attributes; always sent as RFC 6154 §2 allows), STATUS (items) (RFC 5819: a STATUS reply
 *   after each selectable folder's LIST reply, with STATUS's own items).
 * The basic two-argument LIST is the same command with no options.
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { Folder, MailboxSession } from '@mailyard/mailstore';
import { pathToWire } from '../mailbox-names.js';
import type { Command, CommandIo } from '../protocol/command.js';
import { imapString } from '../protocol/encode.js';
import type { Token } from '../protocol/types.js';
import type { Session } from '../session.js';
import { astringBytes, atom, list as items } from './args.js';
import { DELIMITER, decodePattern, folderAttributes, patternMatcher } from './list.js';
import { STATUS_ITEMS } from './status.js';

const SELECTION = new Set(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);
const RETURNS = new Set(['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE', 'STATUS']);

export interface ListRequest {
  selection: Set<string>;
  reference: Buffer;
  patterns: Buffer[];
  returns: Set<string>;
  /** RFC 5819 STATUS return option items, upper case. */
  statusItems: string[];
}

function optionNames(token: Token | undefined, allowed: Set<string>, what: string): string[] {
  return items(token, what).map((item) => {
    const name = atom(item, what).toUpperCase();
    if (!allowed.has(name)) throw new InputSyntaxError(`Unknown LIST ${what} ${name}`);
    return name;
  });
}

function returnOptions(token: Token | undefined, request: ListRequest): void {
  const options = items(token, 'return options');
  for (let i = 0; i < options.length; i++) {
    const name = atom(options[i], 'return option').toUpperCase();
    if (!RETURNS.has(name)) throw new InputSyntaxError(`Unknown LIST return option ${name}`);
    request.returns.add(name);
    if (name !== 'STATUS') continue;
    request.statusItems = items(options[++i], 'STATUS items').map((t) => atom(t, 'STATUS item').toUpperCase());
    for (const item of request.statusItems) {
      if (!STATUS_ITEMS[item]) throw new InputSyntaxError(`Unknown STATUS item ${item}`);
    }
  }
}

/** Parses LIST's arguments in the basic or the extended form (RFC 5258 §3 list syntax). */
export function parseListRequest(args: Token[]): ListRequest {
  const request: ListRequest = {
    selection: new Set(),
    reference: Buffer.alloc(0),
    patterns: [],
    returns: new Set(),
    statusItems: [],
  };
  let i = 0;
  if (args[0]?.type === 'list') {
    for (const name of optionNames(args[0], SELECTION, 'selection option')) request.selection.add(name);
    i = 1;
  }
  request.reference = astringBytes(args[i], 'reference');
  const patterns = args[i + 1];
  request.patterns =
    patterns?.type === 'list'
      ? patterns.items.map((p) => astringBytes(p, 'mailbox pattern'))
      : [astringBytes(patterns, 'mailbox pattern')];
  i += 2;
  if (args[i]) {
    if (args[i]?.type !== 'atom' || atom(args[i]).toUpperCase() !== 'RETURN')
      throw new InputSyntaxError('Invalid LIST arguments');
    returnOptions(args[i + 1], request);
    i += 2;
  }
  if (i < args.length) throw new InputSyntaxError('Too many LIST arguments');
  if (request.patterns.length === 0) throw new InputSyntaxError('LIST needs a mailbox pattern');
  // RFC 5258 §3: RECURSIVEMATCH only refines another selection option.
  if (request.selection.has('RECURSIVEMATCH') && !request.selection.has('SUBSCRIBED')) {
    throw new InputSyntaxError('RECURSIVEMATCH needs another selection option');
  }
  return request;
}

interface Listed {
  folder: Folder;
  attrs: string[];
  childInfo: boolean;
  /** False for a subscribed name without a folder: no STATUS for it (RFC 5819 §2). */
  exists?: boolean;
}

/**
 * RFC 5258 §3.5 CHILDINFO: the folder has a subscribed descendant that the patterns do not list itself (a
 * descendant that is listed needs no hint; imaptest listext checks both cases).
 */
function hasUnlistedSubscribedChild(folder: Folder, subscribed: string[], listed: (path: string) => boolean): boolean {
  const prefix = `${folder.path}${DELIMITER}`;
  return subscribed.some((path) => path.startsWith(prefix) && !listed(path));
}

/**
 * The folders a request lists, in folder order, with their attributes. `orphans` are subscribed names whose
 * folder was deleted: (SUBSCRIBED) lists them as \NonExistent (RFC 5258 §3.1, RFC 3501 §6.3.6).
 */
export function listedFolders(
  request: ListRequest,
  folders: Folder[],
  utf8: boolean,
  orphans: string[] = [],
): Listed[] {
  const matchers = request.patterns.map((p) =>
    patternMatcher(decodePattern(Buffer.concat([request.reference, p]), utf8)),
  );
  const matched = (path: string) => matchers.some((matches) => matches(path));
  const subscribedOnly = request.selection.has('SUBSCRIBED');
  const subscribed = [...folders.filter((f) => f.subscribed).map((f) => f.path), ...orphans];
  const markSubscribed = subscribedOnly || request.returns.has('SUBSCRIBED');
  const out: Listed[] = [];
  for (const folder of folders) {
    if (!matched(folder.path)) continue;
    if (request.selection.has('SPECIAL-USE') && !folder.specialUse) continue;
    const childInfo =
      request.selection.has('RECURSIVEMATCH') && hasUnlistedSubscribedChild(folder, subscribed, matched);
    if (subscribedOnly && !folder.subscribed && !childInfo) continue;
    const attrs = folderAttributes(folder, folders);
    if (markSubscribed && folder.subscribed) attrs.push('\\Subscribed');
    out.push({ folder, attrs, childInfo: childInfo && subscribedOnly });
  }
  if (subscribedOnly) {
    for (const path of orphans) {
      if (!matched(path) || request.selection.has('SPECIAL-USE')) continue;
      const folder = {
        path,
        specialUse: null,
        uidValidity: 0,
        uidNext: 0,
        highestModseq: 0,
        subscribed: true,
        objectId: '',
      };
      out.push({ folder, attrs: ['\\Subscribed', '\\NonExistent'], childInfo: false, exists: false });
    }
  }
  return out;
}

/** RFC 5819 §2: the STATUS reply sent after a folder's LIST reply. */
function statusLine(mailbox: MailboxSession, folder: Folder, items: string[], name: string): string {
  const status = mailbox.status(folder.path);
  const values = items.map((item) => `${item} ${STATUS_ITEMS[item]?.(status) ?? 0}`);
  return `STATUS ${name} (${values.join(' ')})`;
}

async function sendList(session: Session, io: CommandIo, request: ListRequest): Promise<void> {
  const mailbox = session.requireMailbox();
  const orphans = request.selection.has('SUBSCRIBED') ? mailbox.orphanSubscriptions() : [];
  for (const { folder, attrs, childInfo, exists } of listedFolders(
    request,
    mailbox.listFolders(),
    session.utf8,
    orphans,
  )) {
    const name = imapString(pathToWire(folder.path, session.utf8));
    const extended = childInfo ? ' ("CHILDINFO" ("SUBSCRIBED"))' : '';
    await io.untagged(`LIST (${attrs.join(' ')}) "${DELIMITER}" ${name}${extended}`);
    if (request.returns.has('STATUS') && exists !== false) {
      await io.untagged(statusLine(mailbox, folder, request.statusItems, name));
    }
  }
}

export const list: Command<Session> = {
  name: 'LIST',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    if (args.length < 2) throw new InputSyntaxError('Missing arguments');
    const request = parseListRequest(args);
    const basic = request.selection.size === 0 && request.returns.size === 0 && request.patterns.length === 1;
    if (basic && request.patterns[0]?.length === 0) {
      // RFC 9051 §6.3.9: an empty pattern asks for the hierarchy delimiter.
      await io.untagged(`LIST (\\Noselect) "${DELIMITER}" ""`);
      return undefined;
    }
    if (request.returns.has('STATUS')) {
      const names = request.statusItems;
      if (names.includes('HIGHESTMODSEQ')) session.condstore = true;
    }
    await sendList(session, io, request);
    return undefined;
  },
};
