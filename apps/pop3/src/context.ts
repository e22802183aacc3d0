/** What the POP3 hooks share: injected stores, the logger, the process's limits and what connections hold. */
import type { ControlStore } from '@mailyard/control';
import type { Logger } from '@mailyard/logger';
import type { MailboxSession } from '@mailyard/mailstore';
import type { OpenMailboxes } from './open-mailboxes.js';
import type { Pop3Limits } from './session-limits.js';

/** The one folder POP3 serves (RFC 1939 has no folders; the maildrop is INBOX). */
export const MAILDROP = 'INBOX';

/** What POP3 needs of the control store: the login check that maps an address to its mailbox. */
export type Pop3Control = Pick<ControlStore, 'verifyMailboxPassword'>;

/**
 * What POP3 needs of @mailyard/mailstore's Mailstore: unlocking a mailbox (which drains its spool), and the same
 * KDF work without a mailbox for logins refused before one is known (so timing does not reveal which users exist).
 */
export interface Pop3Mailstore {
  open(mailboxId: string, password: string): Promise<MailboxSession>;
  simulateUnlock(password: string): Promise<void>;
}

export interface Pop3Context {
  logger: Logger;
  control: Pop3Control;
  mailstore: Pop3Mailstore;
  limits: Pop3Limits;
  mailboxes: OpenMailboxes;
}
