/**
 * A raw SMTP client for protocol tables: sends exact bytes and reads whole replies (RFC 5321 §4.2: multi-line
 * replies continue with 'ddd-' and end with 'ddd ').
 */
import { connect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { waitFor } from '@mailyard/testkit';

export interface Reply {
  code: number;
  lines: string[];
  text: string;
}

export class Wire {
  #socket: Socket | TLSSocket;
  #buffer = '';
  #waiters: Array<() => void> = [];
  closed = false;

  private constructor(socket: Socket | TLSSocket) {
    this.#socket = socket;
    this.#attach(socket);
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('latin1');
      this.#notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#notify();
    });
    socket.on('error', () => undefined);
  }

  #notify(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** `localAddress` picks the client's source address (any 127.x.y.z works on loopback). */
  static async open(port: number, opts: { tls?: boolean; localAddress?: string } = {}): Promise<Wire> {
    const local = opts.localAddress ? { localAddress: opts.localAddress } : {};
    const socket = opts.tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...local })
      : connect({ port, host: '127.0.0.1', ...local });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new Wire(socket);
  }

  /** The next complete reply; rejects when the connection closes first or after `timeoutMs`. */
  async reply(timeoutMs = 10_000): Promise<Reply> {
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.#take();
      if (parsed) return parsed;
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.#buffer)}`);
      if (Date.now() > giveUpAt) throw new Error(`no reply within ${timeoutMs} ms: ${JSON.stringify(this.#buffer)}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  #take(): Reply | null {
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const end = this.#buffer.indexOf('\r\n', offset);
      if (end < 0) return null;
      const line = this.#buffer.slice(offset, end);
      lines.push(line);
      offset = end + 2;
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        this.#buffer = this.#buffer.slice(offset);
        return { code: Number(line.slice(0, 3)), lines, text: lines.join('\n') };
      }
    }
  }

  write(data: string | Buffer): void {
    this.#socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async command(line: string): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** Upgrades after a 220 to STARTTLS; anything unread is dropped (it arrived in clear). */
  async startTls(): Promise<void> {
    const plain = this.#socket as Socket;
    plain.removeAllListeners('data');
    this.#buffer = '';
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.#attach(secure);
  }

  /** True once the server closed the connection; false if it is still open after `timeoutMs`. */
  async closedByServer(timeoutMs = 5000): Promise<boolean> {
    return waitFor(() => this.closed, timeoutMs, 20).then(
      () => true,
      () => false,
    );
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
