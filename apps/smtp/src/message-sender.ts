/**
 * Sending a message that arrived whole over HTTP (the REST API's POST /v1/emails) through the same submission flow
 * as SMTP (submit.ts): the same identity checks, the same sending limits (counted with SMTP submission's, in
 * deps.sendingLimitStore), header additions, DKIM signature, local delivery, outbound queue and Sent copy. Built
 * once per API process from the same dependencies as the SMTP processes, minus TLS.
 */
import { RateLimitError } from '@mailyard/errors';
import type { SmtpDeps } from './deps.js';
import { buildContext } from './deps.js';
import { messageOfBuffer } from './read-data.js';
import { sendVerificationRequest, type VerificationRequest } from './recipient-verification.js';
import { accountMaySendAs, envelopeAddress, maySendAs, type SendingRights } from './send-as.js';
import { SendingLimits } from './sending-limits.js';
import { reply } from './smtp-reply.js';
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
  /**
   * Refusals are SMTP replies (an Error with responseCode and an enhanced code first in its message), except a
   * sending limit reached: a RateLimitError with the time until the limit lets one more through.
   */
  send(submission: HttpSubmission): Promise<Submitted>;
  /** The sending limits this sender counts against, shared with SMTP submission (GET /v1/emails/limit reads them). */
  readonly limits: SendingLimits;
  /** Queues an alias recipient's verification email (recipient-verification.ts); no sending limit counts it. */
  sendVerificationRequest(request: VerificationRequest): Promise<string>;
}

export function createMessageSender(deps: SmtpDeps): MessageSender {
  const ctx = buildContext(deps);
  const limits = new SendingLimits(ctx.config.smtp, ctx.sendingLimitStore);
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
    limits,
    sendVerificationRequest: (request) => sendVerificationRequest(ctx, request),
    async send(s) {
      const fromDomain = s.envelopeFrom.slice(s.envelopeFrom.lastIndexOf('@') + 1);
      const submitter = submitterOf(s.sender, fromDomain);
      // As at SMTP MAIL FROM: the envelope sender must be the caller's before anything counts against a limit,
      // so nobody can use up another sender's allowance.
      if (!(await submitter.maySendAs(envelopeAddress(s.envelopeFrom)))) {
        throw reply(550, '5.7.1', `Sender address ${s.envelopeFrom} is not one of yours`);
      }
      const identity =
        s.sender.kind === 'mailbox'
          ? { address: s.sender.address, domain: s.sender.rights.domain }
          : { address: s.envelopeFrom, domain: fromDomain };
      const verdict = await limits.consume(identity);
      if (!verdict.allowed) throw new RateLimitError(`${verdict.limit} sending limit reached`, verdict.retryAfterMs);
      return submitMessage(ctx, {
        message: messageOfBuffer(s.raw, ctx.limits.maxHeaderBytes),
        envelopeFrom: s.envelopeFrom,
        recipients: s.recipients,
        submitter,
        helo: 'api',
        // RFC 3848 has no HTTP type; ours names the authenticated HTTP submission the way ESMTPSA does.
        protocol: 'HTTPSA',
        ...(s.requestId ? { cid: s.requestId } : {}),
      });
    },
  };
}
