/** LOGIN (RFC 9051 §6.2.3): refused before TLS unless insecure logins are allowed (LOGINDISABLED). */
import { InputSyntaxError } from '@mailyard/errors';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { astring, expectArgs } from './args.js';
import { login as logIn } from './login-flow.js';

/** Logins need TLS unless configuration allows them in plaintext (RFC 9051 §6.2.3, RFC 8314). */
export function requireLoginAllowed(session: Session): void {
  if (!session.transport.secure && !session.ctx.deps.config.allowInsecureAuth) {
    throw new InputSyntaxError('Run STARTTLS first');
  }
}

export const login: Command<Session> = {
  name: 'LOGIN',
  states: ['not-authenticated'],
  async run({ args, session, io }) {
    requireLoginAllowed(session);
    expectArgs(args, 2);
    return logIn(session, astring(args[0], 'user name'), astring(args[1], 'password'), io);
  },
};
