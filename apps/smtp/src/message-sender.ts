/**
 * Sending a message that arrived whole over HTTP (the REST API's POST /v1/emails) through the same submission flow
 * as SMTP (submit.ts): the same identity checks, header additions, DKIM signature, local delivery, outbound queue
 * and Sent copy. Built once per API process from the same dependencies as the SMTP processes, minus TLS.
 */
import type { SmtpDeps } from './deps.js';
import { buildContext } from './deps.js';
import { messageOfBuffer } from './read-data.js';
import { sendVerificationRequest, type VerificationRequest } from './recipient-verification.js';
import { accountMaySendAs, maySendAs, type SendingRights } from './send-as.js';
import { type Submitted, type Submitter, submitMessage } from './submit.js';

/** Who sends over HTTP: a mailbox with its own credentials, or an account with its API token. */
export type HttpSender =
  | {
      kind: 'mailbox';
      /** The alias address the request authenticated with. */
      address: string;
      rights: SendingRights;
      /** Gets the Sent copy. */
      mailboxId: string;
    }
  | { kind: 'account'; accountId: string; email: string };

export interface HttpSubmission {
  /** The whole message, CRLF line endings. */
  raw: Buffer;
  envelopeFrom: string;
  recipients: string[];
  sender: HttpSender;
  /** Request id for the log. */
  requestId?: string;
}

export interface MessageSender {
  /** Refusals are SMTP replies (an Error with responseCode and an enhanced code first in its message). */
  send(submission: HttpSubmission): Promise<Submitted>;
  /** Queues an alias recipient's verification email (recipient-verification.ts); no sending limit counts it. */
  sendVerificationRequest(request: VerificationRequest): Promise<string>;
}

export function createMessageSender(deps: SmtpDeps): MessageSender {
  const ctx = buildContext(deps);
  const submitterOf = (sender: HttpSender, fromDomain: string): Submitter =>
    sender.kind === 'mailbox'
      ? {
          login: sender.address,
          domain: sender.rights.domain,
          maySendAs: (written) => maySendAs(ctx, sender.rights, written),
          sentMailboxId: sender.mailboxId,
        }
      : {
          login: sender.email,
          domain: fromDomain,
          maySendAs: (written) => accountMaySendAs(ctx, sender.accountId, written),
          sentMailboxId: null,
        };
  return {
    sendVerificationRequest: (request) => sendVerificationRequest(ctx, request),
    send(s) {
      const fromDomain = s.envelopeFrom.slice(s.envelopeFrom.lastIndexOf('@') + 1);
      return submitMessage(ctx, {
        message: messageOfBuffer(s.raw, ctx.limits.maxHeaderBytes),
        envelopeFrom: s.envelopeFrom,
        recipients: s.recipients,
        submitter: submitterOf(s.sender, fromDomain),
        helo: 'api',
        // RFC 3848 has no HTTP type; ours names the authenticated HTTP submission the way ESMTPSA does.
        protocol: 'HTTPSA',
        ...(s.requestId ? { cid: s.requestId } : {}),
      });
    },
  };
}
