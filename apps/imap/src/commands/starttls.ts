/**
 * STARTTLS (RFC 9051 §6.2.1): the TLS handshake starts after the tagged OK. Input the client pipelined after
 * the command in plaintext is discarded by the connection (RFC 2595 §4), never run inside TLS.
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { expectArgs } from './args.js';

export const starttls: Command<Session> = {
  name: 'STARTTLS',
  states: ['not-authenticated'],
  async run({ args, session }) {
    expectArgs(args, 0);
    if (!session.transport.canStartTls) throw new InputSyntaxError('TLS is already active or not available');
    session.afterReply = () => session.transport.startTls();
    return { status: 'OK', text: 'Begin TLS negotiation now' };
  },
};
