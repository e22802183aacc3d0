/**
 * Raw protocol clients for the table benchmark, as thin as smtp-source and a hand-written IMAP/POP3 client:
 * one socket, lines read as they come, no parsing beyond what the measure needs. `localAddress` picks the
 * client's source address in 127.0.0.0/8, so per-IP limits of the server see many sending hosts, as on the
 * internet, and the server runs with its default limits.
 */
import { connect, type Socket } from 'node:net';

export class Wire {
  readonly socket: Socket;
  /**
   * What has arrived is kept in pieces and searched as it comes: `#scanned` holds text already searched (no
   * match ended in it), `#tail` its last line start or so (a match may begin there and end in new text), `#fresh`
   * what arrived since the last search. A long reply (a FETCH of 4 MB) is then searched once and joined once;
   * searching a growing string flattened it again for every arriving chunk, which made this client's time grow
   * with the square of the reply and took most of the measured time of a large FETCH.
   */
  #scanned: string[] = [];
  #tail = '';
  #fresh = '';
  #waiters: Array<() => void> = [];
  #closed = false;

  constructor(port: number, localAddress?: string) {
    this.socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.#fresh += chunk;
      this.#wake();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves with everything up to the end of the line that `pattern` matched in; throws if the peer closes first. */
  async until(pattern: RegExp): Promise<string> {
    for (;;) {
      const window = this.#tail + this.#fresh;
      const match = pattern.exec(window);
      const lineEnd = match ? window.indexOf('\r\n', match.index + match[0].length) : -1;
      if (match && lineEnd >= 0) {
        const taken = Math.max(0, lineEnd + 2 - this.#tail.length);
        const text = this.#scanned.join('') + this.#fresh.slice(0, taken);
        this.#fresh = this.#fresh.slice(taken);
        this.#scanned = [];
        this.#tail = '';
        return text;
      }
      if (this.#closed) throw new Error(`connection closed while waiting for ${pattern}: ${window.slice(-200)}`);
      this.#scanned.push(this.#fresh);
      // The tail starts at a line start where it can, so that ^ in a pattern matches only where a line begins.
      const last = window.slice(-512);
      const lineStart = last.indexOf('\n');
      this.#tail = lineStart >= 0 ? last.slice(lineStart + 1) : last;
      this.#fresh = '';
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** An IMAP command; resolves with the whole reply up to its tagged line. */
  imap(tag: string, text: string): Promise<string> {
    this.write(`${tag} ${text}\r\n`);
    return this.until(new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)`));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Source addresses 127.0.1.1 ... 127.0.1.<count>, used in turn. */
export function sourceAddresses(count: number): () => string {
  let next = 0;
  return () => `127.0.1.${(next++ % count) + 1}`;
}

/**
 * One SMTP session delivering one message, as smtp-source does by default: connect, wait for the 220, EHLO,
 * MAIL/RCPT/DATA pipelined (RFC 2920), the message, QUIT. Resolves with the reply to the final dot.
 */
export async function smtpDeliver(port: number, localAddress: string, to: string, body: Buffer): Promise<string> {
  const wire = new Wire(port, localAddress);
  try {
    await wire.until(/^220 /m);
    wire.write('EHLO bench.sender.test\r\n');
    await wire.until(/^250 /m);
    wire.write(`MAIL FROM:<s@sender.test> SIZE=${body.length}\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
    const replies = await wire.until(/^(354|[45]\d\d) /m);
    if (!/^354 /m.test(replies)) throw new Error(`refused: ${replies.trim()}`);
    wire.write(Buffer.concat([body, Buffer.from('.\r\nQUIT\r\n')]));
    return (await wire.until(/^\d{3} /m)).trim();
  } finally {
    wire.close();
  }
}

/** Logs in over plain IMAP (LOGIN; the Dovecot figures were taken without TLS too). */
export async function imapLogin(port: number, user: string, password: string, localAddress?: string): Promise<Wire> {
  const wire = new Wire(port, localAddress);
  await wire.until(/^\* OK/);
  const reply = await wire.imap('L', `LOGIN ${user} "${password}"`);
  if (!/L OK/.test(reply)) throw new Error(`login failed: ${reply}`);
  return wire;
}
