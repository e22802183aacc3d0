/**
 * IDLE (RFC 2177, RFC 9051 §6.3.13): `+ idling`, then mailbox changes are sent as they happen (expunges
 * included) until the client sends DONE. Commands pipelined after DONE run after the tagged OK.
 */
import { reportError } from '@mailyard/errors';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { expectArgs } from './args.js';

export const idle: Command<Session> = {
  name: 'IDLE',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 0);
    let chain = Promise.resolve();
    const write = (line: string) => io.untagged(line);
    const flush = () => {
      chain = chain
        .then(() => session.flush(write, true))
        .catch((err: unknown) => {
          // After the client left, a write or the closed mailbox session ends the flush: nobody to tell.
          if (session.transport.closed) return;
          reportError(session.logger, err, { command: 'IDLE' });
        });
    };
    // NOTIFY (RFC 5465 §4) keeps hearing of changes during IDLE; what it holds goes out with IDLE's flush.
    const previous = session.onMailboxChange;
    session.onMailboxChange = (folder) => {
      previous?.(folder);
      flush();
    };
    flush();
    try {
      const line = await io.continuation('idling');
      await chain;
      if (line.toString('latin1').toUpperCase() !== 'DONE') return { status: 'BAD', text: 'Expected DONE' };
      return { status: 'OK', text: 'IDLE terminated' };
    } finally {
      session.onMailboxChange = previous;
    }
  },
};
