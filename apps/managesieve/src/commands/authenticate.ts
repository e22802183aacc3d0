/**
 * AUTHENTICATE (RFC 5804 §2.1) with SASL PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login), the initial
 * response allowed for both. Server challenges are strings (PLAIN: the empty string; LOGIN: "Username:" and
 * "Password:" in base64); a client response of "*" cancels the exchange.
 *
 * The password is the mailbox password, checked as IMAP, POP3 and SMTP AUTH check it: the control store's
 * verifyMailboxPassword (the same KDF work whether or not the address exists), an enabled alias with a mailbox.
 * The mailbox itself is never opened: scripts live in the control store. Failed logins go through the one
 * LoginGate (@mailyard/limits): managesieve.authFailuresPerIpPerHour per client address and per user + address,
 * then NO (TRYLATER) before the password is looked at. Each failure logs `authentication failed` (fail2ban).
 * Without TLS, AUTHENTICATE is refused with NO (ENCRYPT-NEEDED) unless allowInsecureAuth.
 */
import { AuthenticationError, InputSyntaxError } from '@mailyard/errors';
import { SASL_MECHANISMS } from '../capabilities.js';
import type { SieveUser } from '../context.js';
import type { Token } from '../protocol/reader.js';
import { response, sieveString } from '../protocol/writer.js';
import type { Session } from '../session.js';
import { arity, stringArg } from './arguments.js';

const INVALID_CREDENTIALS = 'Authentication failed';

interface Credentials {
  user: string;
  password: string;
}

export async function authenticate(session: Session, args: Token[]): Promise<void> {
  arity(args, 1, 2);
  const mechanism = stringArg(args, 0, 'SASL mechanism').toUpperCase();
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    return session.write(response('NO', `Unsupported SASL mechanism ${mechanism.slice(0, 32)}`));
  }
  if (!session.tls && !session.ctx.allowInsecureAuth) {
    return session.write(response('NO', 'Use STARTTLS before authenticating', 'ENCRYPT-NEEDED'));
  }
  const initial = args.length === 2 ? stringArg(args, 1, 'initial response') : null;
  if (mechanism === 'PLAIN') return plain(session, initial);
  return login(session, initial);
}

async function plain(session: Session, initial: string | null): Promise<void> {
  if (initial !== null) return finish(session, decodePlain(initial));
  challenge(session, '', (text) => finish(session, decodePlain(text)));
}

async function login(session: Session, initial: string | null): Promise<void> {
  const askPassword = async (user: string) => {
    challenge(session, 'Password:', (text) => finish(session, { user, password: decodeBase64(text) }));
  };
  if (initial !== null) return askPassword(decodeBase64(initial));
  challenge(session, 'Username:', (text) => askPassword(decodeBase64(text)));
}

/**
 * Sends a server challenge (`prompt` in base64, as a string) and takes the next line as the client's response: one
 * string, where "*" cancels the exchange (§2.1).
 */
function challenge(session: Session, prompt: string, next: (text: string) => Promise<void>): void {
  session.write(`${sieveString(Buffer.from(prompt).toString('base64'))}\r\n`);
  session.continuation = async (tokens) => {
    if (!tokens?.length || tokens.length !== 1) throw new InputSyntaxError('Expected one string as the SASL response');
    const text = stringArg(tokens, 0, 'SASL response');
    if (text === '*') {
      session.write(response('NO', 'Authentication cancelled'));
      return;
    }
    await next(text);
  };
}

function decodeBase64(text: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new InputSyntaxError('The SASL response is not base64');
  return Buffer.from(text, 'base64').toString('utf8');
}

/** RFC 4616 §2: authzid NUL authcid NUL passwd; an authzid other than the user is refused (no proxy logins). */
function decodePlain(text: string): Credentials {
  const parts = decodeBase64(text).split('\0');
  if (parts.length !== 3) throw new InputSyntaxError('Malformed SASL PLAIN response');
  const [authzid = '', user = '', password = ''] = parts;
  if (authzid !== '' && authzid.toLowerCase() !== user.toLowerCase()) {
    throw new AuthenticationError('Logging in as another user is not supported');
  }
  return { user, password };
}

async function finish(session: Session, credentials: Credentials): Promise<void> {
  const { loginGate, logger } = session.ctx;
  const ip = session.remoteAddress;
  await loginGate.enforce(ip, credentials.user);
  const user = await verify(session, credentials);
  if (!user) {
    logger.warn({ protocol: 'managesieve', ip, user: credentials.user }, 'authentication failed');
    await loginGate.fail(ip, credentials.user);
    return session.write(response('NO', INVALID_CREDENTIALS));
  }
  await loginGate.succeed(ip, credentials.user);
  session.user = user;
  logger.info({ user: user.address }, 'managesieve login');
  session.write(response('OK', 'Logged in'));
}

async function verify(session: Session, { user, password }: Credentials): Promise<SieveUser | null> {
  const resolved = await session.ctx.control.verifyMailboxPassword(user, password);
  if (!resolved?.alias.mailboxId || !resolved.alias.isEnabled) return null;
  return { address: `${resolved.alias.name}@${resolved.domain.name}`, aliasId: resolved.alias.id };
}
