/** LOGOUT (RFC 9051 §6.1.3): `* BYE`, the tagged OK, then the connection closes. */
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { expectArgs } from './args.js';

export const logout: Command<Session> = {
  name: 'LOGOUT',
  states: ['not-authenticated', 'authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 0);
    await io.untagged('BYE Logging out');
    session.deselect();
    session.afterReply = () => session.transport.close();
    return { status: 'OK', text: 'LOGOUT completed' };
  },
};
