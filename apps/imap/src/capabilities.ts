/**
 * The CAPABILITY list (RFC 3501 §7.2.1). The full list is announced before login too: clients (iOS Mail,
 * Outlook) decide on CONDSTORE/QRESYNC/IDLE from the first answer and never ask again.
 */
import type { ImapConnection } from 'wildduck/imap-core';

export interface CapabilityOptions {
  /** LOGIN/AUTHENTICATE allowed without TLS (tests, or TLS terminated in front of us). */
  allowInsecureAuth: boolean;
  /** APPENDLIMIT (RFC 7889): the largest message APPEND accepts. */
  appendLimit: number;
}

const ALWAYS = [
  'ID', // RFC 2971
  'ENABLE', // RFC 5161
  'IDLE', // RFC 2177
  'NAMESPACE', // RFC 2342
  'CHILDREN', // RFC 3348
  'SPECIAL-USE', // RFC 6154
  'UIDPLUS', // RFC 4315
  'UNSELECT', // RFC 3691
  'CONDSTORE', // RFC 7162 §3.1
  'QRESYNC', // RFC 7162 §3.2
  'QUOTA', // RFC 2087 / RFC 9208
  'MOVE', // RFC 6851
  'UTF8=ACCEPT', // RFC 6855
  'COMPRESS=DEFLATE', // RFC 4978
  'LITERAL+', // RFC 7888
];

export function capabilityList(connection: ImapConnection, options: CapabilityOptions): string[] {
  const loginAllowed = connection.secure || options.allowInsecureAuth;
  const list = ['IMAP4rev1'];
  if (!connection.secure) list.push('STARTTLS');
  if (connection.state === 'Not Authenticated') {
    // RFC 3501 §6.2.3 LOGINDISABLED; RFC 4959 SASL-IR.
    list.push(...(loginAllowed ? ['AUTH=PLAIN', 'SASL-IR'] : ['LOGINDISABLED']));
  }
  list.push(...ALWAYS, `APPENDLIMIT=${options.appendLimit}`);
  return list;
}

export function sendCapabilities(connection: ImapConnection, options: CapabilityOptions): void {
  connection.send(`* CAPABILITY ${capabilityList(connection, options).join(' ')}`);
}
