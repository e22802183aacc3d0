/** NAMESPACE (RFC 2342, RFC 9051 §6.3.10): one personal namespace, "" with "/" as the delimiter. */
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { expectArgs } from './args.js';

export const namespace: Command<Session> = {
  name: 'NAMESPACE',
  states: ['authenticated', 'selected'],
  async run({ args, io }) {
    expectArgs(args, 0);
    await io.untagged('NAMESPACE (("" "/")) NIL NIL');
    return undefined;
  },
};
