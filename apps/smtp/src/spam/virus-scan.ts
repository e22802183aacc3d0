/**
 * The virus step of the MX (inbound.ts), before the spam verdict and before anything is stored: when config
 * clamd.socket or clamd.address is set, the message as received is streamed to clamd (clamd.ts; never whole in
 * memory) and
 * - infected: refused with 554 5.7.1 naming the signature; nothing is stored;
 * - clean: delivered with `X-Virus-Scanned: clamd at <host>` and `X-Virus-Status: clean`;
 * - larger than clamd.maxScanBytes: delivered with `X-Virus-Status: not scanned (...)`;
 * - clamd down, late or failing: with clamd.failClosed, 451 4.7.1 (the sender retries later); otherwise delivered
 *   with `X-Virus-Status: not scanned (...)` and a warning logged.
 * Any X-Virus-* field that arrives with the message is removed: only we write them.
 */
import type { Config } from '@mailyard/config';
import type { Logger } from '@mailyard/logger';
import type { ReceivedMessage } from '../received-message.js';
import { reply, type SmtpHandlerError } from '../smtp-reply.js';
import { type ClamdAddress, type ClamdClient, createClamdClient, parseClamdTcpAddress } from './clamd.js';

export interface VirusOutcome {
  /** X-Virus-* fields to prepend, CRLF-terminated. */
  headers: string;
  /** The reply instead of a 250 (554 infected, 451 scanner unavailable with failClosed); nothing is stored. */
  refusal: SmtpHandlerError | null;
  /** For the log line. */
  summary: { result: 'clean' | 'infected' | 'not scanned'; signature?: string; reason?: string };
}

export interface VirusScan {
  check(message: ReceivedMessage, log: Logger): Promise<VirusOutcome>;
}

function clamdAddress(clamd: Config['clamd']): ClamdAddress | null {
  if (clamd.socket) return { socket: clamd.socket };
  const tcp = clamd.address ? parseClamdTcpAddress(clamd.address) : undefined;
  return tcp ?? null;
}

/** Header values are one line of printable ASCII: a signature name from clamd is shown as such. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** The virus step of config clamd.*, or null when no clamd is configured. */
export function createVirusScan(config: Config, client?: ClamdClient): VirusScan | null {
  const address = clamdAddress(config.clamd);
  if (!address) return null;
  const { timeoutMs, failClosed, maxScanBytes } = config.clamd;
  const clamd = client ?? createClamdClient({ address, timeoutMs });
  const scanned = `X-Virus-Scanned: clamd at ${config.hostname}\r\n`;
  const notScanned = (reason: string): VirusOutcome => ({
    headers: `X-Virus-Status: not scanned (${printable(reason)})\r\n`,
    refusal: null,
    summary: { result: 'not scanned', reason },
  });
  return {
    async check(message, log) {
      if (message.size > maxScanBytes) {
        return notScanned(`the message of ${message.size} bytes is larger than ${maxScanBytes} bytes`);
      }
      try {
        const result = await clamd.scan(message.read());
        if (!result.infected) {
          return { headers: `${scanned}X-Virus-Status: clean\r\n`, refusal: null, summary: { result: 'clean' } };
        }
        const signature = printable(result.signature);
        return {
          headers: `${scanned}X-Virus-Status: infected (${signature})\r\n`,
          refusal: reply(554, '5.7.1', `Message refused: virus found (${signature})`),
          summary: { result: 'infected', signature },
        };
      } catch (err) {
        if (failClosed) {
          log.warn({ err }, 'virus scanner unavailable: message deferred (clamd.failClosed)');
          return {
            ...notScanned('virus scanner unavailable'),
            refusal: reply(451, '4.7.1', 'Virus scanner unavailable, try again later'),
          };
        }
        log.warn({ err }, 'virus scanner unavailable: message delivered unscanned');
        return notScanned('virus scanner unavailable');
      }
    },
  };
}
