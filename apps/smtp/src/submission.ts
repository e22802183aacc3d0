/**
 * Message submission (RFC 6409): STARTTLS on config smtp.submissionPort and implicit TLS on
 * smtp.submissionTlsPort (RFC 8314), AUTH PLAIN/LOGIN after TLS. Both listeners share one state, so connection
 * and rate limits count across them. See handlers/ and submit.ts.
 */
import { buildContext, type SmtpDeps } from './deps.js';
import { createListener, type SmtpListener } from './listener.js';
import type { ServerState } from './server-state.js';

export interface SubmissionServer {
  /** STARTTLS listener. */
  starttls: SmtpListener;
  /** Implicit TLS listener. */
  implicitTls: SmtpListener;
  state: ServerState;
  listen(
    ports: { starttls: number; implicitTls: number },
    host?: string,
  ): Promise<{ starttls: number; implicitTls: number }>;
  close(graceMs?: number): Promise<void>;
}

export function createSubmissionServer(deps: SmtpDeps): SubmissionServer {
  const ctx = buildContext(deps);
  const starttls = createListener(ctx, 'submission', false);
  const implicitTls = createListener(ctx, 'submission', true, starttls.state);
  return {
    starttls,
    implicitTls,
    state: starttls.state,
    async listen(ports, host) {
      return {
        starttls: await starttls.listen(ports.starttls, host),
        implicitTls: await implicitTls.listen(ports.implicitTls, host),
      };
    },
    async close(graceMs) {
      await Promise.all([starttls.close(graceMs), implicitTls.close(graceMs)]);
    },
  };
}
