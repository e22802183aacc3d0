/**
 * A recipient domain's sender allow and block lists (set through the API or the dashboard) as symbols: the
 * envelope sender and the From address are each matched against entries that are a whole address or a domain
 * (covering its subdomains). An allow entry counts only when DMARC did not fail: otherwise anyone could pass by
 * forging the From of a friend. Block counts always.
 */
import type { DomainSpamSettings } from '@mailyard/control';
import type { HeaderField } from '@mailyard/mail';
import type { SpamSymbol } from './verdict.js';

export const ALLOW_SCORE = -100;
export const BLOCK_SCORE = 100;

/** The address inside the From field (the angle address, or the whole value when there is none). */
export function fromAddress(headers: HeaderField[]): string | null {
  const raw = headers.find((h) => h.name === 'from')?.raw ?? '';
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(raw)?.[1];
  const bare = /^\s*([^\s<>",;]+@[^\s<>",;]+)\s*$/.exec(raw)?.[1];
  return (angle ?? bare ?? '').toLowerCase() || null;
}

export function matches(entry: string, address: string): boolean {
  if (entry.includes('@')) return entry === address;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return domain === entry || domain.endsWith(`.${entry}`);
}

export function senderListSymbols(
  settings: Pick<DomainSpamSettings, 'allow' | 'block'>,
  envelopeFrom: string,
  headers: HeaderField[],
  dmarcFailed: boolean,
): SpamSymbol[] {
  const senders = [envelopeFrom.toLowerCase(), fromAddress(headers)].filter((a): a is string => !!a && a.includes('@'));
  const hit = (list: string[]) => list.find((entry) => senders.some((s) => matches(entry, s)));
  const symbols: SpamSymbol[] = [];
  const blocked = hit(settings.block);
  if (blocked) symbols.push({ name: 'SENDER_BLOCKED', score: BLOCK_SCORE, description: `block list: ${blocked}` });
  const allowed = dmarcFailed ? undefined : hit(settings.allow);
  if (allowed) symbols.push({ name: 'SENDER_ALLOWED', score: ALLOW_SCORE, description: `allow list: ${allowed}` });
  return symbols;
}
