/**
 * The server settings a mail client needs (host, ports, security), shown after a mailbox password is issued and
 * served as autoconfiguration. Production maps the standard ports (RFC 8314 §3.3: IMAP 993, POP3 995, submission
 * 465 over implicit TLS; RFC 6409: submission 587 with STARTTLS) onto Mailyard's unprivileged ones; a server bound
 * to loopback is the embedded quick start, where clients connect to the configured ports directly.
 */
import type { Config } from '@mailyard/config';

export type Security = 'SSL/TLS' | 'STARTTLS';

export interface ServerSetting {
  protocol: 'IMAP' | 'POP3' | 'SMTP';
  host: string;
  port: number;
  security: Security;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackBind(config: Pick<Config, 'bind'>): boolean {
  return LOOPBACK.has(config.bind);
}

/** Preferred first: implicit TLS (RFC 8314 §4.1 recommends it over STARTTLS), then the STARTTLS alternatives. */
export function clientSettings(config: Config): ServerSetting[] {
  const host = config.hostname;
  const direct = isLoopbackBind(config);
  const port = (configured: number, standard: number) => (direct ? configured : standard);
  return [
    { protocol: 'IMAP', host, port: port(config.imap.tlsPort, 993), security: 'SSL/TLS' },
    { protocol: 'IMAP', host, port: port(config.imap.port, 143), security: 'STARTTLS' },
    { protocol: 'POP3', host, port: port(config.pop3.tlsPort, 995), security: 'SSL/TLS' },
    { protocol: 'POP3', host, port: port(config.pop3.port, 110), security: 'STARTTLS' },
    { protocol: 'SMTP', host, port: port(config.smtp.submissionTlsPort, 465), security: 'SSL/TLS' },
    { protocol: 'SMTP', host, port: port(config.smtp.submissionPort, 587), security: 'STARTTLS' },
  ];
}
