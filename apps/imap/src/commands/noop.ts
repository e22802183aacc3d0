/**
 * NOOP (RFC 9051 §6.1.2) and CHECK (RFC 3501 §6.4.1): nothing to do but let the core send pending mailbox
 * changes (EXISTS, EXPUNGE, FLAGS) before the tagged OK. Every store write is durable at once, so CHECK is NOOP.
 */
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { expectArgs } from './args.js';

export const noop: Command<Session> = {
  name: 'NOOP',
  states: ['not-authenticated', 'authenticated', 'selected'],
  async run({ args }) {
    expectArgs(args, 0);
    return undefined;
  },
};

export const check: Command<Session> = {
  name: 'CHECK',
  states: ['selected'],
  async run({ args }) {
    expectArgs(args, 0);
    return undefined;
  },
};
