/**
 * The CAPABILITY list (RFC 9051 §7.2.2), one entry per extension with its RFC. The full list is sent in the
 * greeting (`* OK [CAPABILITY ...]`, RFC 9051 §7.1) and after login, so clients (iOS Mail, Outlook) need no
 * extra round trip. STARTTLS is offered only on a plaintext connection before login (RFC 9051 §6.2.1);
 * LOGINDISABLED replaces AUTH=PLAIN before TLS unless insecure logins are allowed (RFC 9051 §6.2.3).
 * Extensions register here: `registerCapability('ESEARCH')` or with a condition on the session.
 */
import type { Session } from './session.js';

type Condition = (session: Session) => boolean;

const registered: Array<{ name: string | ((session: Session) => string); when: Condition }> = [];

/** Adds a capability, announced when `when` holds (always by default). Order of registration is kept. */
export function registerCapability(name: string | ((session: Session) => string), when: Condition = () => true): void {
  registered.push({ name, when });
}

const loginAllowed = (s: Session) => s.transport.secure || s.ctx.deps.config.allowInsecureAuth;
const beforeLogin = (s: Session) => s.state === 'not-authenticated';

registerCapability('IMAP4rev1'); // RFC 3501
registerCapability('STARTTLS', (s) => beforeLogin(s) && s.transport.canStartTls); // RFC 9051 §6.2.1
registerCapability('AUTH=PLAIN', (s) => beforeLogin(s) && loginAllowed(s)); // RFC 4616
registerCapability('SASL-IR', (s) => beforeLogin(s) && loginAllowed(s)); // RFC 4959
registerCapability('LOGINDISABLED', (s) => beforeLogin(s) && !loginAllowed(s)); // RFC 9051 §6.2.3
for (const name of [
  'ID', // RFC 2971
  'ENABLE', // RFC 5161
  'IDLE', // RFC 2177
  'NOTIFY', // RFC 5465 (commands/notify.ts, notify-session.ts)
  'NAMESPACE', // RFC 2342
  'CHILDREN', // RFC 3348
  'SPECIAL-USE', // RFC 6154
  'UIDPLUS', // RFC 4315
  'UNSELECT', // RFC 3691
  'CONDSTORE', // RFC 7162 §3.1
  'QRESYNC', // RFC 7162 §3.2
  'QUOTA', // RFC 9208 (commands/quota.ts)
  'QUOTA=RES-STORAGE', // RFC 9208 §5.1
  'QUOTA=RES-MESSAGE', // RFC 9208 §5.2 (reported while a message limit is set)
  'QUOTASET', // RFC 9208 §4.3 SETQUOTA, for administrators
  'MOVE', // RFC 6851
  'UTF8=ACCEPT', // RFC 6855
  'LITERAL+', // RFC 7888
  'ESEARCH', // RFC 4731 (commands/esearch.ts)
  'SEARCHRES', // RFC 5182 (saved-search.ts)
  'SORT', // RFC 5256 §3 (commands/sort.ts)
  'SORT=DISPLAY', // RFC 5957
  'ESORT', // RFC 5267 §3 (SORT RETURN)
  'CONTEXT=SEARCH', // RFC 5267 §4 (search-context.ts: UPDATE, CANCELUPDATE; PARTIAL)
  'CONTEXT=SORT', // RFC 5267 §4
  'THREAD=ORDEREDSUBJECT', // RFC 5256 §3 (commands/thread.ts)
  'THREAD=REFERENCES', // RFC 5256 §3
  'WITHIN', // RFC 5032 (search-keys.ts)
  'SAVEDATE', // RFC 8514 (search-keys.ts, fetch-extensions.ts)
  'PREVIEW', // RFC 8970 (fetch-extensions.ts)
  'BINARY', // RFC 3516 (fetch-extensions.ts; APPEND literal8 through the parser)
  'OBJECTID', // RFC 8474 (SELECT, STATUS, CREATE, fetch-extensions.ts, search-keys.ts)
  'STATUS=SIZE', // RFC 8438 (commands/status.ts)
  'CREATE-SPECIAL-USE', // RFC 6154 §3 (create-options.ts)
  'MULTIAPPEND', // RFC 3502 (commands/append.ts, append-items.ts)
  'CATENATE', // RFC 4469 (append-items.ts)
  'LIST-EXTENDED', // RFC 5258 (commands/list-extended.ts)
  'LIST-STATUS', // RFC 5819 (commands/list-extended.ts)
]) {
  registerCapability(name);
}
// RFC 9051, after ENABLE IMAP4rev2 (session.rev2): no \Recent, ESEARCH-form SEARCH, UTF-8 names; its required
// extensions are all in the list above.
registerCapability('IMAP4rev2');
registerCapability('COMPRESS=DEFLATE', (s) => !s.transport.compressed); // RFC 4978
registerCapability((s) => `APPENDLIMIT=${s.ctx.protocol.maxMessageBytes}`); // RFC 7889

export function capabilityList(session: Session): string[] {
  return registered.filter((c) => c.when(session)).map((c) => (typeof c.name === 'string' ? c.name : c.name(session)));
}

export function capabilityLine(session: Session): string {
  return `CAPABILITY ${capabilityList(session).join(' ')}`;
}
