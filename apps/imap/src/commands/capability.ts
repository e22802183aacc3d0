/** CAPABILITY (RFC 9051 §6.1.1). */
import { capabilityLine } from '../capabilities.js';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { expectArgs } from './args.js';

export const capability: Command<Session> = {
  name: 'CAPABILITY',
  states: ['not-authenticated', 'authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 0);
    await io.untagged(capabilityLine(session));
    return undefined;
  },
};
