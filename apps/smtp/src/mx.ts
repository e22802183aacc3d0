/**
 * The inbound MX (config smtp.mxPort): mail for hosted domains only, no AUTH, STARTTLS offered (RFC 3207),
 * PIPELINING, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, SIZE and DSN advertised. See handlers/ and inbound.ts.
 */
import { buildContext, type SmtpDeps } from './deps.js';
import { createListener, type SmtpListener } from './listener.js';

export function createMxServer(deps: SmtpDeps): SmtpListener {
  return createListener(buildContext(deps), 'mx', false);
}
