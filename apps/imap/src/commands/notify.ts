/**
 * NOTIFY (RFC 5465 §3.1): `NOTIFY SET [STATUS] event-group ...` replaces what was in force (notify-filter.ts
 * parses it, notify-session.ts carries it out); `NOTIFY NONE` ends it. With STATUS, a STATUS response for each
 * folder the message events watch comes before the tagged OK. A NOTIFY that fails leaves the old one in force.
 */
import { InputSyntaxError } from '@mailyard/errors';
import { parseNotifySet } from '../notify-filter.js';
import { NotifySession } from '../notify-session.js';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { atom } from './args.js';

export const notify: Command<Session> = {
  name: 'NOTIFY',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    const verb = atom(args[0], 'NOTIFY SET or NONE').toUpperCase();
    if (verb === 'NONE') {
      if (args.length > 1) throw new InputSyntaxError('NOTIFY NONE takes no arguments');
      session.notify?.stop();
      return undefined;
    }
    if (verb !== 'SET') throw new InputSyntaxError('NOTIFY SET or NOTIFY NONE');
    const spec = parseNotifySet(args.slice(1), session.utf8);
    session.notify?.stop();
    const lines = new NotifySession(session, spec).start();
    if (lines.length > 0) await io.untaggedLines(lines);
    return undefined;
  },
};
