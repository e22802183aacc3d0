// Whether a vacation action may answer this message (RFC 5230 §4.5-4.6, RFC 3834 §2): never the null sender,
// never automatic mail (Auto-Submitted other than "no"), mailing lists (List-* fields, Precedence bulk/list/junk)
// or list and daemon addresses, never oneself, and only when one of the user's addresses (the envelope recipient
// plus :addresses) is in To, Cc, Bcc or their Resent- forms. The once-per-period rule needs storage, so the
// caller applies it with the action's handle and seconds.

import type { VacationAction } from './actions.js';
import { headerAddresses, splitAddress } from './address.js';
import type { SieveEnvelope, SieveMessage } from './message.js';

export interface VacationDecision {
  send: boolean;
  /** The address to answer (the envelope sender, RFC 5230 §4.6), "" for the null sender. */
  to: string;
  /** Why no reply is sent; "" when one is. */
  why: string;
}

const LIST_FIELDS = [
  'list-id',
  'list-help',
  'list-unsubscribe',
  'list-subscribe',
  'list-post',
  'list-owner',
  'list-archive',
];
const RECIPIENT_FIELDS = ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc'];
/** RFC 5230 §4.6 / RFC 3834 §2: senders that are lists or daemons. */
const AUTOMATED_LOCAL = /^(?:owner-.*|.*-request|.*-owner|mailer-daemon|listserv|majordomo|postmaster)$/i;

export function vacationDecision(
  action: VacationAction,
  message: SieveMessage,
  envelope: SieveEnvelope,
): VacationDecision {
  const to = envelope.from.replace(/^<|>$/g, '');
  const no = (why: string): VacationDecision => ({ send: false, to, why });
  if (to === '') return no('null sender');
  const auto = message.header('auto-submitted')[0]?.trim().toLowerCase();
  if (auto !== undefined && !auto.startsWith('no')) return no('Auto-Submitted message');
  const precedence = message.header('precedence')[0]?.trim().toLowerCase();
  if (precedence && ['bulk', 'list', 'junk'].includes(precedence)) return no(`Precedence: ${precedence}`);
  if (LIST_FIELDS.some((name) => message.header(name).length > 0)) return no('mailing list message');
  if (AUTOMATED_LOCAL.test(splitAddress(to).local)) return no('sender is a list or daemon address');
  const mine = new Set([envelope.to, ...action.addresses.flatMap(bareAddresses)].map((a) => a.toLowerCase()));
  if (mine.has(to.toLowerCase())) return no('sender is the recipient');
  const listed = RECIPIENT_FIELDS.flatMap((name) => message.rawHeader(name)).flatMap(bareAddresses);
  if (!listed.some((a) => mine.has(a.toLowerCase()))) return no('recipient not in To, Cc or Bcc');
  return { send: true, to, why: '' };
}

function bareAddresses(value: string): string[] {
  return headerAddresses(value).map((a) => (a.domain === '' ? a.local : `${a.local}@${a.domain}`));
}
