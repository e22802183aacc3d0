/** COMPRESS DEFLATE (RFC 4978): both directions compressed from right after the tagged OK. */
import { InputSyntaxError } from '@mailyard/errors';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { atom, expectArgs } from './args.js';

export const compress: Command<Session> = {
  name: 'COMPRESS',
  states: ['authenticated', 'selected'],
  async run({ args, session }) {
    expectArgs(args, 1);
    if (atom(args[0], 'mechanism').toUpperCase() !== 'DEFLATE') throw new InputSyntaxError('Unknown mechanism');
    if (session.transport.compressed) return { status: 'NO', code: 'COMPRESSIONACTIVE', text: 'Already compressed' };
    session.afterReply = () => session.transport.startCompression();
    return { status: 'OK', text: 'DEFLATE active' };
  },
};
