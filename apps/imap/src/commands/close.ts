/**
 * CLOSE (RFC 9051 §6.4.1): expunges \Deleted messages silently (read-write only) and leaves the selected state,
 * even when the expunge fails; UNSELECT (RFC 3691) leaves without expunging.
 */
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { expectArgs } from './args.js';

export const close: Command<Session> = {
  name: 'CLOSE',
  states: ['selected'],
  async run({ args, session }) {
    expectArgs(args, 0);
    const view = session.requireView();
    try {
      if (!view.readOnly) view.mailbox.expunge(view.path);
    } finally {
      session.deselect();
    }
    return undefined;
  },
};

export const unselect: Command<Session> = {
  name: 'UNSELECT',
  states: ['selected'],
  async run({ args, session }) {
    expectArgs(args, 0);
    session.deselect();
    return undefined;
  },
};
