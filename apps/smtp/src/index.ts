/**
 * @mailyard/smtp — the SMTP processes: inbound MX, authenticated submission and outbound delivery.
 *
 * RFCs: SMTP (RFC 5321), message format (RFC 5322), STARTTLS (RFC 3207), submission (RFC 6409) and implicit TLS
 * (RFC 8314), AUTH (RFC 4954, PLAIN RFC 4616), SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531),
 * PIPELINING (RFC 2920), ENHANCEDSTATUSCODES (RFC 2034, RFC 3463), DSN (RFC 3461, reports RFC 3464/6522),
 * SPF (RFC 7208), DKIM (RFC 6376), DMARC (RFC 7489), ARC (RFC 8617), Authentication-Results (RFC 8601),
 * null MX (RFC 7505), MTA-STS (RFC 8461), subaddressing (RFC 5233). SRS follows the libsrs2 scheme (srs.ts).
 *
 * Flows: mx.ts + inbound.ts (RCPT only for hosted addresses, SPF/DKIM/DMARC/ARC, spool and/or SRS+ARC forward),
 * submission.ts + submit.ts (AUTH after TLS, send-as rules in send-as.ts, missing Date/Message-ID added, DKIM
 * signing, Sent copy), outbound/ (queue worker: overlapping claims, MX lookup, pooled sessions per remote host, opportunistic or
 * MTA-STS-enforced TLS, retries with back-off, DSN parameters honoured and relayed, RFC 3464 bounces). One file per
 * smtp-server hook in handlers/; numbers and their reasons in limits.ts; error -> reply mapping in smtp-reply.ts;
 * the smtp-server subclass in server.ts (reply mapping, bare-CR commands, per-connection deadlines from
 * connection-guard.ts); DATA reading, spilling and checks in read-data.ts, spill-file.ts, content-checks.ts.
 *
 * On disk: only data/tmp/smtp, the encrypted spill files of messages larger than spillThresholdBytes while they
 * are handled (random key per message, kept in memory). The outbound queue lives in the control store (bodies
 * sealed with a key derived from the master key), mailbox copies in the mail store's sealed spool.
 *
 * Invariants:
 * - 250 after DATA only once every copy is durable (spool fsynced, queue row committed); a refused or broken
 *   transfer stores nothing.
 * - Never an open relay: the MX accepts only hosted recipients; submission requires AUTH, offered only after TLS.
 * - Stored and forwarded messages are our added headers followed by the received bytes exactly, except that
 *   Authentication-Results fields claiming our authserv-id are removed from the header block (RFC 8601 §5).
 * - A bounce has the null envelope sender, and nothing is ever bounced to the null sender.
 * - Message bytes in memory are counted in the in-flight byte budget from the first byte to the reply; a message
 *   past the spill threshold holds about the threshold, plus its whole size while a queued copy is read.
 * - Lines end in CRLF: a bare CR or LF in a command (501) or in DATA (554) is refused, never passed on.
 * - A client owes us each command line within commandTimeoutMs and each DATA within dataTimeoutMs at a minimum
 *   rate; past that it gets 421 and the connection closes.
 */
export type { MailDelivery, SmtpDeps } from './deps.js';
export { createDnsLookup, type DnsLookup, type DnsOptions } from './dns.js';
export { OUTBOUND_LIMITS, SMTP_LIMITS } from './limits.js';
export type { SmtpListener } from './listener.js';
export { createMessageSender, type HttpSender, type HttpSubmission, type MessageSender } from './message-sender.js';
export { createMxServer, type MxServer } from './mx.js';
export { buildBounce } from './outbound/bounce.js';
export {
  createMtaStsSource,
  type MtaStsPolicy,
  type MtaStsPolicySource,
  mxMatchesPolicy,
  NO_MTA_STS,
} from './outbound/mta-sts.js';
export { createOutboundWorker, type OutboundDeps, type OutboundWorker } from './outbound/worker.js';
export { type SendingIdentity, SendingLimits, type SendingUse, type SendingVerdict } from './sending-limits.js';
export { GuardedSmtpServer, type GuardedSmtpServerOptions } from './server.js';
export { createSrs, type Srs } from './srs.js';
export { createSubmissionServer, type SubmissionServer } from './submission.js';
export type { Submitted } from './submit.js';
export { SIGNATURE_HEADER, webhookSignature } from './webhooks/post.js';
export { createWebhookWorker, type WebhookWorker, type WebhookWorkerDeps } from './webhooks/worker.js';
