// Address lists of From/Sender/Reply-To/To/Cc/Bcc (RFC 5322 §3.4, obsolete routes §4.4), parsed leniently:
// anything that is not a group or an angle address becomes one addr-spec, and nothing throws.

import { decodeHeaderWords } from './charset-text.js';

export interface Mailbox {
  kind: 'mailbox';
  /** Display name as written (quotes removed, encoded words kept); the comment when there is no phrase. */
  name: string | null;
  /** Obsolete source route, e.g. '@relay.example' (RFC 5322 §4.4). */
  route: string | null;
  mailbox: string;
  /** Domain; '' when the address has none. */
  host: string;
}

export interface Group {
  kind: 'group';
  name: string;
  members: Mailbox[];
}

export type AddressEntry = Mailbox | Group;

type TokenKind = 'atom' | 'quoted' | 'comment' | 'literal' | 'special';

interface Token {
  kind: TokenKind;
  text: string;
}

const SPECIALS = new Set(['<', '>', ':', ';', '@', ',', '[', ']', '(', ')', '"', '\\']);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (/\s/.test(ch)) i++;
    else if (ch === '"') i = readDelimited(input, i, '"', 'quoted', tokens);
    else if (ch === '(') i = readComment(input, i, tokens);
    else if (ch === '[') i = readDelimited(input, i, ']', 'literal', tokens);
    else if (SPECIALS.has(ch)) {
      tokens.push({ kind: 'special', text: ch });
      i++;
    } else {
      let j = i;
      while (j < input.length && !SPECIALS.has(input[j] as string) && !/\s/.test(input[j] as string)) j++;
      tokens.push({ kind: 'atom', text: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

function readDelimited(input: string, start: number, close: string, kind: TokenKind, tokens: Token[]): number {
  let text = '';
  let i = start + 1;
  for (; i < input.length && input[i] !== close; i++) {
    if (input[i] === '\\' && i + 1 < input.length) i++;
    text += input[i];
  }
  tokens.push({ kind, text: kind === 'literal' ? `[${text}]` : text });
  return i + 1;
}

function readComment(input: string, start: number, tokens: Token[]): number {
  let depth = 0;
  let text = '';
  let i = start;
  for (; i < input.length; i++) {
    const ch = input[i] as string;
    if (ch === '\\' && i + 1 < input.length) {
      i++;
      text += input[i];
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth === 0) break;
    if (ch !== '(' || depth > 1) text += ch;
  }
  tokens.push({ kind: 'comment', text: text.trim() });
  return i + 1;
}

const isSpecial = (token: Token, text: string): boolean => token.kind === 'special' && token.text === text;

/** Parses an address list; groups keep their members (RFC 5322 §3.4 group syntax). */
export function parseAddressList(input: string): AddressEntry[] {
  const entries: AddressEntry[] = [];
  let group: Group | null = null;
  let current: Token[] = [];
  let inAngle = false;
  const flush = () => {
    const mailbox = toMailbox(current);
    current = [];
    if (mailbox) (group ? group.members : entries).push(mailbox);
  };
  for (const token of tokenize(input)) {
    if (isSpecial(token, '<')) inAngle = true;
    if (isSpecial(token, '>')) inAngle = false;
    if (!inAngle && isSpecial(token, ',')) flush();
    else if (!inAngle && !group && isSpecial(token, ':') && startsGroup(current)) {
      group = { kind: 'group', name: phrase(current), members: [] };
      current = [];
    } else if (!inAngle && group && isSpecial(token, ';')) {
      flush();
      entries.push(group);
      group = null;
    } else current.push(token);
  }
  flush();
  if (group) entries.push(group);
  return entries;
}

/** Every mailbox of an address list in order, group members in the group's place (RFC 5322 §3.4). */
export function mailboxesOf(entries: AddressEntry[]): Mailbox[] {
  return entries.flatMap((entry) => (entry.kind === 'group' ? entry.members : [entry]));
}

function startsGroup(tokens: Token[]): boolean {
  return !tokens.some((token) => isSpecial(token, '@') || isSpecial(token, '<'));
}

function phrase(tokens: Token[]): string {
  return tokens
    .filter((token) => token.kind === 'atom' || token.kind === 'quoted')
    .map((token) => token.text)
    .join(' ');
}

function lastComment(tokens: Token[]): string | null {
  const comments = tokens.filter((token) => token.kind === 'comment' && token.text);
  return comments.at(-1)?.text ?? null;
}

function joinAddrSpec(tokens: Token[]): string {
  return tokens
    .filter((token) => token.kind !== 'comment')
    .map((token) => (token.kind === 'quoted' ? `"${token.text}"` : token.text))
    .join('');
}

function toMailbox(tokens: Token[]): Mailbox | null {
  if (!tokens.some((token) => token.kind !== 'comment')) return null;
  const open = tokens.findIndex((token) => isSpecial(token, '<'));
  if (open < 0) return splitAddrSpec(joinAddrSpec(tokens), lastComment(tokens), null);
  const closeAt = tokens.findIndex((token, i) => i > open && isSpecial(token, '>'));
  const inside = tokens.slice(open + 1, closeAt < 0 ? tokens.length : closeAt);
  const name = phrase(tokens.slice(0, open)) || lastComment(tokens);
  const colon = inside.findIndex((token) => isSpecial(token, ':'));
  const hasRoute = inside[0] !== undefined && isSpecial(inside[0], '@') && colon > 0;
  const route = hasRoute ? joinAddrSpec(inside.slice(0, colon)) : null;
  return splitAddrSpec(joinAddrSpec(hasRoute ? inside.slice(colon + 1) : inside), name, route);
}

function splitAddrSpec(addrSpec: string, name: string | null, route: string | null): Mailbox {
  const at = addrSpec.lastIndexOf('@');
  const mailbox = at < 0 ? addrSpec : addrSpec.slice(0, at);
  const host = at < 0 ? '' : addrSpec.slice(at + 1);
  return { kind: 'mailbox', name: name || null, route, mailbox, host };
}

function mailboxText(entry: Mailbox): string {
  const address = entry.host ? `${entry.mailbox}@${entry.host}` : entry.mailbox;
  if (!entry.name) return address;
  return address ? `${decodeHeaderWords(entry.name)} <${address}>` : decodeHeaderWords(entry.name);
}

/** A decoded, human-readable form for SEARCH FROM/TO/CC/BCC: 'Name <user@host>, group: a@b;'. */
export function addressListText(entries: AddressEntry[]): string {
  return entries
    .map((entry) =>
      entry.kind === 'mailbox'
        ? mailboxText(entry)
        : `${decodeHeaderWords(entry.name)}: ${entry.members.map(mailboxText).join(', ')};`,
    )
    .join(', ');
}
