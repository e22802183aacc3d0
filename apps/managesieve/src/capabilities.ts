/**
 * The capability response (RFC 5804 §1.7), sent as the greeting, after STARTTLS (§2.2) and for CAPABILITY:
 * IMPLEMENTATION, SIEVE (the engine's extensions, @mailyard/sieve), SASL (PLAIN and LOGIN once the connection is
 * protected, or always when allowInsecureAuth), STARTTLS until TLS is on, MAXREDIRECTS, OWNER once logged in,
 * VERSION "1.0".
 */
import { CAPABILITIES, DEFAULT_LIMITS } from '@mailyard/sieve';
import { response, sieveString } from './protocol/writer.js';

export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'] as const;

export interface CapabilityState {
  tls: boolean;
  allowInsecureAuth: boolean;
  /** The logged-in address, or null. */
  owner: string | null;
}

/** The capability lines followed by OK. */
export function capabilityResponse(state: CapabilityState): string {
  const saslOffered = state.tls || state.allowInsecureAuth;
  const lines: Array<[string, string?]> = [
    ['IMPLEMENTATION', 'Mailyard'],
    ['SIEVE', CAPABILITIES.join(' ')],
    ['SASL', saslOffered ? SASL_MECHANISMS.join(' ') : ''],
    ...(state.tls ? [] : [['STARTTLS'] as [string]]),
    ['MAXREDIRECTS', String(DEFAULT_LIMITS.maxRedirects)],
    ...(state.owner ? [['OWNER', state.owner] as [string, string]] : []),
    ['VERSION', '1.0'],
  ];
  const text = lines.map(([name, value]) =>
    value === undefined ? sieveString(name) : `${sieveString(name)} ${sieveString(value)}`,
  );
  return `${text.join('\r\n')}\r\n${response('OK', 'Mailyard ManageSieve ready')}`;
}
