/**
 * Mailbox passwords in a zero-access store. The server can create a mailbox with a new password, but it cannot
 * change the password of an existing one without the current password or the recovery key: the mailbox data key
 * is only ever stored wrapped by those. The control store keeps a scrypt hash so SMTP AUTH can check logins
 * without unlocking the mailbox.
 */
import { randomBytes } from 'node:crypto';
import { AuthenticationError, ConflictError, PermissionError } from '@mailyard/errors';
import type { Alias, ControlStore } from './types.js';

/** What issuing a password needs of the mail store (a subset of @mailyard/mailstore's Mailstore). */
export interface MailboxAdmin {
  createMailbox(
    mailboxId: string,
    password: string,
    opts?: { recoveryKey?: boolean },
  ): Promise<{ publicKey: string; recoveryKey?: string }>;
  changePassword(mailboxId: string, oldPassword: string, newPassword: string): Promise<void>;
  resetPassword(mailboxId: string, recoveryKey: string, newPassword: string): Promise<void>;
  deleteMailbox(mailboxId: string): Promise<void>;
}

export interface PasswordRequest {
  newPassword?: string;
  password?: string;
  recoveryKey?: string;
}

export interface IssuedPassword {
  mailboxId: string;
  password: string;
  /** Only when the mailbox was created by this call. */
  recoveryKey?: string;
  created: boolean;
}

/** 18 random bytes, base64url: 24 characters, 144 bits. */
export function generateMailboxPassword(): string {
  return randomBytes(18).toString('base64url');
}

export function newMailboxId(): string {
  return randomBytes(16).toString('hex');
}

export async function issueMailboxPassword(
  control: ControlStore,
  mailstore: MailboxAdmin,
  alias: Alias,
  request: PasswordRequest,
): Promise<IssuedPassword> {
  const password = request.newPassword ?? generateMailboxPassword();
  if (!alias.mailboxId) {
    const mailboxId = newMailboxId();
    const created = await mailstore.createMailbox(mailboxId, password, { recoveryKey: true });
    await control.setMailboxCredential(alias.id, mailboxId, password);
    return { mailboxId, password, recoveryKey: created.recoveryKey, created: true };
  }
  await rewrap(mailstore, alias.mailboxId, request, password);
  await control.setMailboxCredential(alias.id, alias.mailboxId, password);
  return { mailboxId: alias.mailboxId, password, created: false };
}

async function rewrap(mailstore: MailboxAdmin, mailboxId: string, request: PasswordRequest, next: string) {
  try {
    if (request.password !== undefined) return await mailstore.changePassword(mailboxId, request.password, next);
    if (request.recoveryKey !== undefined) return await mailstore.resetPassword(mailboxId, request.recoveryKey, next);
  } catch (err) {
    if (err instanceof AuthenticationError) throw new PermissionError('the current password or recovery key is wrong');
    throw err;
  }
  throw new ConflictError(
    'this alias already has a mailbox: send its current "password" or its "recovery_key" to set a new password ' +
      '(mail is encrypted with the mailbox password, so the server cannot change it alone)',
  );
}
