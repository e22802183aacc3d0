/**
 * Per-server state shared by the hooks of one listener set (MX, or submission on both its ports): connection
 * counts per client IP, rate limiters, and the count of DATA transfers in progress (for graceful shutdown).
 */
import { ConnectionCounter, RateLimiter } from '@mailyard/limits';
import type { ConnectionGuard } from './connection-guard.js';
import type { SmtpContext } from './deps.js';
import { SMTP_LIMITS } from './limits.js';
import type { SendingRights } from './send-as.js';

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
  /** Messages per authenticated user per hour on submission (config smtp.messagesPerSenderPerHour). */
  senderLimiter: RateLimiter;
  /** Messages per client IP per hour on the MX (SmtpLimits.mxMessagesPerIpPerHour); never keyed by MAIL FROM. */
  mxMessagesPerIp: RateLimiter;
  /** Messages per alias and per domain per day (config smtp.dailySendLimit), submission only. */
  dailyLimiter: RateLimiter;
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
    senderLimiter: new RateLimiter({
      points: smtp.messagesPerSenderPerHour,
      durationMs: SMTP_LIMITS.senderWindowMs,
      ...store,
    }),
    mxMessagesPerIp: new RateLimiter({
      points: ctx.limits.mxMessagesPerIpPerHour,
      durationMs: ctx.limits.mxMessageWindowMs,
      ...store,
    }),
    dailyLimiter: new RateLimiter({ points: smtp.dailySendLimit, durationMs: SMTP_LIMITS.dailyWindowMs, ...store }),
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
