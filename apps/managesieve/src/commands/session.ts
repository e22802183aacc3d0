/** Session commands: CAPABILITY (RFC 5804 §2.4), STARTTLS (§2.2), LOGOUT (§2.3), NOOP (§2.13), UNAUTHENTICATE (§2.14). */
import type { Token } from '../protocol/reader.js';
import { response, sieveString } from '../protocol/writer.js';
import type { Session } from '../session.js';
import { arity, stringArg } from './arguments.js';

export async function capability(session: Session, args: Token[]): Promise<void> {
  arity(args, 0);
  session.write(session.capabilities());
}

export async function startTls(session: Session, args: Token[]): Promise<void> {
  arity(args, 0);
  if (session.tls) return session.write(response('NO', 'TLS is already active'));
  session.write(response('OK', 'Begin TLS negotiation now'));
  session.startTls();
}

export async function logout(session: Session, args: Token[]): Promise<void> {
  arity(args, 0);
  session.write(response('OK', 'Logout completed'));
  session.end();
}

/** NOOP with a tag echoes it in the TAG response code (§2.13), which clients use to resynchronise. */
export async function noop(session: Session, args: Token[]): Promise<void> {
  arity(args, 0, 1);
  if (args.length === 0) return session.write(response('OK', 'Done'));
  session.write(response('OK', 'Done', `TAG ${sieveString(stringArg(args, 0, 'tag'))}`));
}

/** §2.14: back to the non-authenticated state, on the same connection (and TLS layer). */
export async function unauthenticate(session: Session, args: Token[]): Promise<void> {
  arity(args, 0);
  session.user = null;
  session.write(response('OK', 'Unauthenticated'));
}
