/**
 * Per-server state shared by the hooks of one listener set (MX, or submission on both its ports): connection
 * counts per client IP, rate limiters, and the count of DATA transfers in progress (for graceful shutdown).
 */
import { ConnectionCounter, RateLimiter } from '@mailyard/limits';
import type { ConnectionGuard } from './connection-guard.js';
import type { SmtpContext } from './deps.js';
import type { SendingRights } from './send-as.js';
import { SendingLimits } from './sending-limits.js';

export type ServerMode = 'mx' | 'submission';

/** What a successful AUTH leaves on the session (session.user). */
export interface SubmissionUser extends SendingRights {
  address: string;
  domain: string;
  aliasId: string;
  mailboxId: string | null;
}

export interface ServerState {
  ctx: SmtpContext;
  mode: ServerMode;
  connections: ConnectionCounter;
  /** Connection-slot releases by session id, run on close. */
  releases: Map<string, () => void>;
  /** The sending limits of submission, counted with POST /v1/emails (sending-limits.ts). */
  sendingLimits: SendingLimits;
  /** Messages per client IP per hour on the MX (SmtpLimits.mxMessagesPerIpPerHour); never keyed by MAIL FROM. */
  mxMessagesPerIp: RateLimiter;
  /** DATA transfers being received or stored right now. */
  inflight: { count: number };
  /** Deadline guards of live connections by session id (server.ts). */
  guards: Map<string, ConnectionGuard>;
  /** Unknown recipients (550 5.1.1) per live session id (recipient-probing.ts). */
  unknownRecipients: Map<string, number>;
  /** Unknown recipients per client IP per hour (SmtpLimits.unknownRecipientsPerIpPerHour). */
  unknownRecipientsPerIp: RateLimiter;
  /** IPs past their unknown-recipient allowance, until when. */
  unknownBlockedUntil: Map<string, number>;
}

export function createServerState(ctx: SmtpContext, mode: ServerMode): ServerState {
  const { smtp } = ctx.config;
  const store = ctx.rateLimitStore ? { store: ctx.rateLimitStore } : {};
  return {
    ctx,
    mode,
    connections: new ConnectionCounter(smtp.maxConnectionsPerIp),
    releases: new Map(),
    sendingLimits: new SendingLimits(smtp, ctx.sendingLimitStore),
    mxMessagesPerIp: new RateLimiter({
      points: ctx.limits.mxMessagesPerIpPerHour,
      durationMs: ctx.limits.mxMessageWindowMs,
      ...store,
    }),
    inflight: { count: 0 },
    guards: new Map(),
    unknownRecipients: new Map(),
    unknownBlockedUntil: new Map(),
    unknownRecipientsPerIp: new RateLimiter({
      points: ctx.limits.unknownRecipientsPerIpPerHour,
      durationMs: ctx.limits.unknownRecipientWindowMs,
      window: 'fixed',
      ...store,
    }),
  };
}
