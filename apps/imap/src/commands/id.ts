/** ID (RFC 2971): the client's fields are read (and ignored); we answer with our name. */
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { expectArgs } from './args.js';

export const id: Command<Session> = {
  name: 'ID',
  states: ['not-authenticated', 'authenticated', 'selected'],
  async run({ args, io }) {
    expectArgs(args, 1);
    await io.untagged('ID ("name" "Mailyard")');
    return undefined;
  },
};
