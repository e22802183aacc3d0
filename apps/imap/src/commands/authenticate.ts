/**
 * AUTHENTICATE PLAIN (RFC 9051 §6.2.2, RFC 4616) with an initial response (SASL-IR, RFC 4959). The
 * authorization identity, when given, must be the authentication identity: we do not log one user in as
 * another (issue 12 item 12). `*` from the client cancels (RFC 9051 §6.2.2).
 */
import { AuthenticationError, InputSyntaxError } from '@mailyard/errors';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { atom, expectArgs } from './args.js';
import { requireLoginAllowed } from './login.js';
import { login } from './login-flow.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodePlain(text: string): { authzid: string; user: string; password: string } {
  if (!BASE64.test(text) || text.length % 4 !== 0) throw new InputSyntaxError('Invalid base64 in SASL response');
  const parts = Buffer.from(text, 'base64').toString('utf8').split('\0');
  if (parts.length !== 3) throw new InputSyntaxError('Invalid SASL PLAIN response');
  const [authzid = '', user = '', password = ''] = parts;
  return { authzid, user, password };
}

export const authenticate: Command<Session> = {
  name: 'AUTHENTICATE',
  states: ['not-authenticated'],
  async run({ args, session, io }) {
    requireLoginAllowed(session);
    expectArgs(args, 1, 2);
    if (atom(args[0], 'mechanism').toUpperCase() !== 'PLAIN') {
      return { status: 'NO', code: 'CANNOT', text: 'Unsupported authentication mechanism' };
    }
    let response = args[1] ? atom(args[1], 'initial response') : null;
    if (response === null) response = (await io.continuation('')).toString('latin1');
    if (response === '*') return { status: 'BAD', text: 'Authentication cancelled' };
    const { authzid, user, password } = decodePlain(response === '=' ? '' : response);
    if (authzid && authzid.toLowerCase() !== user.toLowerCase()) {
      throw new AuthenticationError('Authorization identity must be the authentication identity');
    }
    return login(session, user, password, io);
  },
};
