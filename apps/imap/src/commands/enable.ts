/**
 * ENABLE (RFC 5161): CONDSTORE, QRESYNC (RFC 7162 §3.2.3, implies CONDSTORE), UTF8=ACCEPT (RFC 6855 §3) and
 * IMAP4rev2 (RFC 9051 §6.3.1). Unknown names are ignored; `* ENABLED` lists what was newly enabled.
 * Extensions add names to ENABLEABLE.
 */
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { atom } from './args.js';

export const ENABLEABLE = new Set(['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT', 'IMAP4REV2']);

/** The name as announced in `* ENABLED` (capability spelling). */
function spelled(name: string): string {
  return name === 'IMAP4REV2' ? 'IMAP4rev2' : name;
}

export const enable: Command<Session> = {
  name: 'ENABLE',
  states: ['authenticated'],
  async run({ args, session, io }) {
    const fresh: string[] = [];
    for (const token of args) {
      const name = atom(token, 'capability').toUpperCase();
      if (!ENABLEABLE.has(name) || session.enabled.has(name)) continue;
      session.enabled.add(name);
      fresh.push(spelled(name));
    }
    if (session.enabled.has('QRESYNC') || session.enabled.has('CONDSTORE')) session.condstore = true;
    await io.untagged(`ENABLED${fresh.map((n) => ` ${n}`).join('')}`);
    return undefined;
  },
};
