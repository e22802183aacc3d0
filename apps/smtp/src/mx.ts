/**
 * The inbound MX (config smtp.mxPort): mail for hosted domains only, no AUTH, STARTTLS offered (RFC 3207),
 * PIPELINING, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, SIZE and DSN advertised. See handlers/ and inbound.ts.
 */
import { buildContext, type SmtpDeps } from './deps.js';
import { createListener, type SmtpListener } from './listener.js';

/** The MX is one SMTP listener; submission (submission.ts) is two sharing one state. */
export type MxServer = SmtpListener;

export function createMxServer(deps: SmtpDeps): MxServer {
  return createListener(buildContext(deps), 'mx', false);
}
