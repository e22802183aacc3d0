/**
 * Unlocking an alias's mailbox from a dashboard form (the backup page, the spam classifier page). Zero-access: the
 * dashboard login never opens a mailbox, so a form that needs its content asks for the mailbox password, which
 * unlocks it for that one request and is never stored. Wrong passwords are counted by the dashboard's LoginGate
 * like failed logins (429 once over its limits) and logged and counted as web authentication failures.
 */
import type { Alias, Domain } from '@mailyard/control';
import { AuthenticationError, NotFoundError, PermissionError, RateLimitError, ValidationError } from '@mailyard/errors';
import type { MailboxSession } from '@mailyard/mailstore';
import { metrics } from '@mailyard/monitor';
import type { WebContext, WebRouteDeps } from './web-context.js';

/** Opens the alias's mailbox with the typed password; the caller closes the session. */
export async function unlockMailbox(
  ctx: WebContext,
  deps: WebRouteDeps,
  domain: Domain,
  alias: Alias,
  password: string,
): Promise<MailboxSession> {
  const mailboxId = alias.mailboxId;
  if (!mailboxId) throw new NotFoundError('This alias has no mailbox.');
  if (!password) throw new ValidationError('Enter the mailbox password.');
  const user = `${alias.name}@${domain.name}`;
  const checked = await deps.loginGate.attempt(ctx.ip, user, async () => {
    try {
      return await deps.mailstore.open(mailboxId, password);
    } catch (err) {
      if (err instanceof AuthenticationError) return null;
      throw err;
    }
  });
  if (!checked.allowed) {
    throw new RateLimitError('Too many wrong passwords. Try again later.', checked.retryAfterMs);
  }
  if (!checked.value) {
    deps.logger.info({ ip: ctx.ip, user }, 'authentication failed');
    metrics.authFailures.inc({ protocol: 'web' });
    throw new PermissionError('The mailbox password is wrong.');
  }
  return checked.value;
}
