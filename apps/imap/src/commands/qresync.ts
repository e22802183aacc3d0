/**
 * QRESYNC (RFC 7162 §3.2), which imap-core lacks, added around its SELECT, FETCH and ENABLE handlers:
 * - ENABLE QRESYNC (§3.2.3) turns on QRESYNC and CONDSTORE for the connection (ENABLE is replaced here, since
 *   imap-core's knows only CONDSTORE and UTF8=ACCEPT).
 * - SELECT/EXAMINE mailbox (QRESYNC (uidvalidity modseq [known-uids [seq-match]])) (§3.2.5): after imap-core's
 *   SELECT replies, if the UIDVALIDITY matches, send VANISHED (EARLIER) for expunged known UIDs and one FETCH
 *   (UID FLAGS MODSEQ) per message changed since modseq, before the tagged OK.
 * - UID FETCH set items (CHANGEDSINCE n VANISHED) (§3.2.6): send VANISHED (EARLIER) for UIDs in the set
 *   expunged since n, then let imap-core's FETCH run with CHANGEDSINCE n.
 * - Once enabled, expunges are announced as VANISHED uid instead of seq EXPUNGE (§3.2.10): see
 *   vanishedFormatter, installed on each connection.
 * The expunged UIDs come from the mail store's change journal (changesSince), so resync works for changes made
 * by any process while the client was offline.
 */
import type {
  CommandCallback,
  CommandModule,
  ImapAttribute,
  ImapConnection,
  ImapResponse,
  ParsedCommand,
} from 'wildduck/imap-core';
import { stateOf } from '../context.js';
import { imapTools } from '../imap-core.js';
import { attributeText } from '../search-query.js';
import { asSelected } from '../selected-folder.js';
import { parseSequenceSet, sequenceMatcher } from '../sequence-set.js';

type Handler = CommandModule['handler'];

interface QresyncParams {
  uidValidity: number;
  modseq: number;
  knownUids?: string;
}

function isAtom(attr: ImapAttribute | undefined, name: string): boolean {
  return !!attr && typeof attr === 'object' && !Array.isArray(attr) && attributeText(attr).toUpperCase() === name;
}

/** Finds `(QRESYNC (...))` among SELECT's optional parameters and removes it. */
function takeQresyncParams(command: ParsedCommand): QresyncParams | null | 'invalid' {
  const list = command.attributes[1];
  if (!Array.isArray(list)) return null;
  const at = list.findIndex((a) => isAtom(a, 'QRESYNC'));
  if (at < 0) return null;
  const args = list[at + 1];
  list.splice(at, 2);
  if (!Array.isArray(args) || args.length < 2) return 'invalid';
  const [uidValidity, modseq, knownUids] = args.map((a) => (Array.isArray(a) ? '' : attributeText(a)));
  if (!/^\d+$/.test(uidValidity ?? '') || !/^\d+$/.test(modseq ?? '')) return 'invalid';
  if (knownUids && !imapTools.validateSequence(knownUids)) return 'invalid';
  return { uidValidity: Number(uidValidity), modseq: Number(modseq), ...(knownUids ? { knownUids } : {}) };
}

function vanishedEarlier(connection: ImapConnection, uids: number[]): void {
  if (uids.length === 0) return;
  connection.writeStream.write({ tag: '*', command: 'VANISHED', attributes: [], compiled: vanishedLine(uids, true) });
}

function vanishedLine(uids: number[], earlier: boolean): string {
  return `* VANISHED ${earlier ? '(EARLIER) ' : ''}${imapTools.packMessageRange(uids)}`;
}

function expungedSince(connection: ImapConnection, modseq: number, inSet: (uid: number) => boolean): number[] {
  const selected = connection.selected;
  if (!selected) return [];
  const folder = asSelected(selected.mailbox);
  const live = new Set(selected.uidList);
  const expunged = folder.mailbox
    .changesSince(folder.path, modseq)
    .filter((c) => c.kind === 'expunged' && inSet(c.uid) && !live.has(c.uid))
    .map((c) => c.uid);
  return [...new Set(expunged)];
}

/** §3.2.5.1: the resync replies of SELECT (QRESYNC ...). */
function sendResync(connection: ImapConnection, params: QresyncParams): void {
  const selected = connection.selected;
  if (!selected) return;
  const folder = asSelected(selected.mailbox);
  const current = folder.mailbox.getFolder(folder.path);
  if (!current || current.uidValidity !== params.uidValidity) return;
  const known = params.knownUids
    ? sequenceMatcher(parseSequenceSet(params.knownUids), Number.MAX_SAFE_INTEGER)
    : () => true;
  vanishedEarlier(
    connection,
    expungedSince(connection, params.modseq, known).sort((a, b) => a - b),
  );
  const position = new Map(selected.uidList.map((uid, i) => [uid, i + 1]));
  for (const message of folder.mailbox.listMessages(folder.path)) {
    const seq = position.get(message.uid);
    if (!seq || message.modseq <= params.modseq || !known(message.uid)) continue;
    const flags = message.flags.join(' ');
    connection.writeStream.write({
      tag: '*',
      command: String(seq),
      attributes: [],
      compiled: `* ${seq} FETCH (UID ${message.uid} FLAGS (${flags}) MODSEQ (${message.modseq}))`,
    });
  }
}

export function wrapSelect(original: Handler): Handler {
  return function select(this: ImapConnection, command, callback, next) {
    const params = takeQresyncParams(command);
    if (params === 'invalid') return callback(null, { response: 'BAD', message: 'Invalid QRESYNC parameters' });
    if (params && !stateOf(this.session).qresync) {
      return callback(null, { response: 'BAD', message: 'ENABLE QRESYNC first' });
    }
    original.call(
      this,
      command,
      (err, result) => {
        if (!err && result?.response === 'OK' && params) sendResync(this, params);
        callback(err, result);
      },
      next,
    );
  };
}

/** Data items of FETCH with MODSEQ added (CHANGEDSINCE 0 still asks for MODSEQ, RFC 7162 §3.1.4.1). */
function withModseq(items: ImapAttribute | undefined): ImapAttribute | undefined {
  const list = Array.isArray(items) ? items : [items];
  if (list.some((a) => isAtom(a ?? undefined, 'MODSEQ'))) return items;
  if (!Array.isArray(items) && ['ALL', 'FAST', 'FULL'].includes(attributeText(items ?? undefined).toUpperCase())) {
    return items;
  }
  return [...list, { type: 'ATOM', value: 'MODSEQ' }] as ImapAttribute;
}

export function wrapFetch(original: Handler): Handler {
  return function fetch(this: ImapConnection, command, callback, next) {
    const modifiers = command.attributes[2];
    if (!Array.isArray(modifiers)) return original.call(this, command, callback, next);
    const vanishedAt = modifiers.findIndex((a) => isAtom(a, 'VANISHED'));
    const changedAt = modifiers.findIndex((a) => isAtom(a, 'CHANGEDSINCE'));
    const changedSince = Number(attributeText(modifiers[changedAt + 1]));
    if (changedAt >= 0 && Number.isSafeInteger(changedSince)) {
      this.condstoreEnabled = true;
      if (this.selected) this.selected.condstoreEnabled = true;
      command.attributes[1] = withModseq(command.attributes[1]) ?? null;
    }
    if (vanishedAt < 0) return original.call(this, command, callback, next);
    // RFC 7162 §3.2.6: VANISHED only in UID FETCH, with CHANGEDSINCE, after ENABLE QRESYNC.
    const isUid = command.command.toUpperCase() === 'UID FETCH';
    if (!isUid || changedAt < 0 || !stateOf(this.session).qresync) {
      return callback(null, { response: 'BAD', message: 'VANISHED needs UID FETCH, CHANGEDSINCE and QRESYNC' });
    }
    modifiers.splice(vanishedAt, 1);
    const range = parseSequenceSet(attributeText(command.attributes[0]));
    vanishedEarlier(this, expungedSince(this, changedSince, sequenceMatcher(range, Number.MAX_SAFE_INTEGER)));
    original.call(this, command, callback, next);
  };
}

/** ENABLE (RFC 5161) with CONDSTORE, QRESYNC (RFC 7162 §3.2.3) and UTF8=ACCEPT (RFC 6855 §3). */
export const enableCommand: Handler = function enable(this: ImapConnection, command, callback: CommandCallback) {
  const enabled: string[] = [];
  for (const attr of command.attributes) {
    const name = attributeText(attr).toUpperCase();
    if (name === 'CONDSTORE' || name === 'QRESYNC') this.condstoreEnabled = true;
    if (name === 'QRESYNC') stateOf(this.session).qresync = true;
    if (name === 'UTF8=ACCEPT') this.acceptUTF8Enabled = true;
    if (['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT'].includes(name) && !enabled.includes(name)) enabled.push(name);
  }
  this.send(`* ENABLED${enabled.map((e) => ` ${e}`).join('')}`);
  callback(null, { response: 'OK', message: 'ENABLE completed' });
};

/**
 * Per connection: once QRESYNC is on, an expunge is told as `* VANISHED uid` (RFC 7162 §3.2.10). imap-core
 * builds every EXPUNGE through formatResponse (which also renumbers the UID list), so wrap that.
 */
export function installVanishedFormatter(connection: ImapConnection): void {
  const format = connection.formatResponse.bind(connection);
  const vanishing = (command: string, uid: number, data?: unknown): ImapResponse | false => {
    const response = format(command, uid, data);
    if (!response || command.toUpperCase() !== 'EXPUNGE' || !stateOf(connection.session).qresync) return response;
    return { tag: '*', command: 'VANISHED', attributes: [], compiled: vanishedLine([uid], false) };
  };
  connection.formatResponse = vanishing;
  connection.session.formatResponse = vanishing;
}
