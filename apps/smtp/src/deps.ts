/**
 * What the SMTP processes are built from. `main.ts` fills it from configuration; tests build it around a temp
 * data dir, a test DNS responder and remote servers on port 0.
 */
import { type Config, deriveKey } from '@mailyard/config';
import type { ControlStore } from '@mailyard/control';
import { ByteBudget, type LoginGate, MemoryRateLimitStore, type RateLimitStore } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import type { DeliverMeta, DeliverSource } from '@mailyard/mailstore';
import { watchByteBudget } from '@mailyard/monitor';
import { createDnsLookup, type DnsLookup } from './dns.js';
import { createSubmissionLoginGate } from './handlers/on-auth.js';
import { type SmtpLimits, smtpLimits } from './limits.js';
import { CompiledScriptCache, controlSieve, type SieveDeps } from './sieve-scripts.js';
import { builtInChecks } from './spam/filter.js';
import { rspamdChecks } from './spam/rspamd.js';
import type { SpamCheck } from './spam/verdict.js';
import { createVirusScan, type VirusScan } from './spam/virus-scan.js';
import { createSrs, type Srs } from './srs.js';

/** The part of the mail store SMTP uses: sealing into a mailbox spool needs no mailbox password. */
export interface MailDelivery {
  deliver(mailboxId: string, raw: Buffer, meta?: DeliverMeta): Promise<void>;
  /** The same for a message too large to hold in memory, sealed chunk by chunk as it is read. */
  deliverStream(mailboxId: string, source: DeliverSource, meta?: DeliverMeta): Promise<void>;
  /** Spool entries sealed for the mailbox and not yet drained (quota-check.ts adds them to its usage). */
  spoolUsage?(mailboxId: string): Promise<{ bytes: number; files: number }>;
}

export interface SmtpDeps {
  config: Config;
  logger: Logger;
  control: ControlStore;
  mailstore: MailDelivery;
  masterKey: Buffer;
  /** PEM key and certificate for STARTTLS and implicit TLS; the listeners need it, the HTTP sender does not. */
  tls?: { key: string; cert: string };
  /** Default: the in-flight budget of config limits.inflightBytes. Share one per process. */
  budget?: ByteBudget;
  /** The failed-login gate of submission AUTH; default: smtp.authFailuresPerIpPerHour, counted in memory. */
  loginGate?: LoginGate;
  /** Default: node:dns through config dns.resolver. */
  dns?: DnsLookup;
  /** Rate-limit counters; default in memory (a Redis store shares them between processes). */
  rateLimitStore?: RateLimitStore;
  /**
   * Counters of the sending limits (sending-limits.ts), which SMTP submission and POST /v1/emails share: the
   * coordination's sharedRateLimits. Default: in this process's memory.
   */
  sendingLimitStore?: RateLimitStore;
  /** Overrides of SMTP_LIMITS and the deadlines (tests set small ones). */
  limits?: Partial<SmtpLimits>;
  /** Sieve scripts and marks (sieve-scripts.ts). Default: the control store's (controlSieve). */
  sieve?: SieveDeps;
  /** Spam checks added to the built-in ones of config spam.* (spam/verdict.ts says how to write one). */
  spamChecks?: SpamCheck[];
  /**
   * "Work is available" wake-ups of the outbound queue, shared by every process (a Coordination's queue: over
   * Redis when configured, else files on this machine). Enqueuers notify; the outbound worker wakes at once instead
   * of at its next poll. Default none: the worker finds new items by polling alone.
   */
  queueWakeups?: QueueWakeups;
}

/** The shape of @mailyard/coordination's QueueSignal that SMTP uses. */
export interface QueueWakeups {
  notify(): void;
  subscribe(callback: () => void): () => void;
}

/** Deps with every default filled in, shared by the handlers of one server. */
export interface SmtpContext extends Required<Omit<SmtpDeps, 'rateLimitStore' | 'limits' | 'tls' | 'queueWakeups'>> {
  tls: { key: string; cert: string } | null;
  rateLimitStore: RateLimitStore | undefined;
  queueWakeups: QueueWakeups | undefined;
  /** Compiled Sieve scripts of this process, by script text. */
  sieveScripts: CompiledScriptCache;
  srs: Srs;
  limits: SmtpLimits;
  /** Every spam check of the MX: the built-in ones, rspamd when configured, then SmtpDeps.spamChecks. */
  spamChecks: SpamCheck[];
  /** The clamd virus scan of config clamd.*, or null when none is configured. */
  virusScan: VirusScan | null;
}

export function buildContext(deps: SmtpDeps): SmtpContext {
  const { config } = deps;
  const budget = deps.budget ?? new ByteBudget(config.limits.inflightBytes);
  watchByteBudget(budget);
  const dns = deps.dns ?? createDnsLookup({ server: config.dns.resolver, timeoutMs: config.dns.timeoutMs });
  return {
    ...deps,
    tls: deps.tls ?? null,
    budget,
    dns,
    spamChecks: [...builtInChecks({ config, dns }), ...rspamdChecks(config, deps.logger), ...(deps.spamChecks ?? [])],
    virusScan: createVirusScan(config),
    loginGate: deps.loginGate ?? createSubmissionLoginGate(config),
    sendingLimitStore: deps.sendingLimitStore ?? new MemoryRateLimitStore(),
    rateLimitStore: deps.rateLimitStore,
    queueWakeups: deps.queueWakeups,
    limits: smtpLimits(config.limits.timeoutMs, deps.limits),
    srs: createSrs(deriveKey(deps.masterKey, 'smtp.srs')),
    sieve: deps.sieve ?? controlSieve(deps.control),
    sieveScripts: new CompiledScriptCache(),
  };
}
