/**
 * A raw POP3 client for wire-level tests: sends exact lines and returns exact replies. A reply is one line, or
 * for multi-line commands answered +OK, everything up to and including the CRLF.CRLF terminator (RFC 1939 §3).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export class Pop3Wire {
  greeting = '';
  #socket: Socket;
  #buffer = Buffer.alloc(0);
  #closed = false;
  #wake: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#listen(socket);
  }

  static async connect(port: number, opts: { tls?: boolean } = {}): Promise<Pop3Wire> {
    const socket = opts.tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : netConnect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const wire = new Pop3Wire(socket);
    wire.greeting = (await wire.reply(false)).toString();
    return wire;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
    socket.on('error', () => {});
  }

  /** Sends one command line and returns its reply as text. */
  async command(line: string, multiline = false): Promise<string> {
    this.write(`${line}\r\n`);
    return (await this.reply(multiline)).toString();
  }

  write(data: string): void {
    this.#socket.write(data);
  }

  /** The next complete reply; rejects when the server closes the connection first. */
  async reply(multiline: boolean): Promise<Buffer> {
    for (;;) {
      const end = replyEnd(this.#buffer, multiline);
      if (end >= 0) {
        const reply = this.#buffer.subarray(0, end);
        this.#buffer = this.#buffer.subarray(end);
        return reply;
      }
      if (this.#closed) throw new Error(`connection closed; unparsed: ${JSON.stringify(this.#buffer.toString())}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }

  /** RETR n: the message bytes with the dot-stuffing removed (the terminating line not included). */
  async retr(n: number): Promise<{ status: string; body: Buffer }> {
    this.write(`RETR ${n}\r\n`);
    return splitMultiline(await this.reply(true));
  }

  /**
   * STLS, then TLS over the same socket (RFC 2595 §4). `injected` goes out in plaintext in the same write as the
   * STLS line, as a man in the middle would add it (CVE-2011-0411).
   */
  async startTls(injected = ''): Promise<string> {
    this.write(`STLS\r\n${injected}`);
    const status = (await this.reply(false)).toString();
    if (!status.startsWith('+OK')) return status;
    const secure = tlsConnect({ socket: this.#socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.#socket.removeAllListeners('data');
    if (this.#buffer.length > 0)
      throw new Error(`plaintext after the STLS reply: ${JSON.stringify(String(this.#buffer))}`);
    this.#socket = secure;
    this.#listen(secure);
    return status;
  }

  /** Resolves once the server has closed the connection. */
  async waitClosed(): Promise<void> {
    while (!this.#closed) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

function replyEnd(buffer: Buffer, multiline: boolean): number {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd < 0) return -1;
  if (!multiline || !buffer.subarray(0, 3).equals(Buffer.from('+OK'))) return lineEnd + 2;
  const terminator = buffer.indexOf('\r\n.\r\n', lineEnd);
  return terminator < 0 ? -1 : terminator + 5;
}

/** Splits a multi-line reply into its status line and its body, undoing dot-stuffing (RFC 1939 §3). */
export function splitMultiline(reply: Buffer): { status: string; body: Buffer } {
  const lineEnd = reply.indexOf('\r\n');
  const status = reply.subarray(0, lineEnd).toString();
  if (!status.startsWith('+OK')) return { status, body: Buffer.alloc(0) };
  const stuffed = reply.subarray(lineEnd + 2, reply.length - 3);
  return { status, body: unstuff(stuffed) };
}

function unstuff(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let lineStart = 0;
  while (lineStart < data.length) {
    const next = data.indexOf('\n', lineStart);
    const lineEnd = next < 0 ? data.length : next + 1;
    const skip = data[lineStart] === 0x2e ? 1 : 0;
    parts.push(data.subarray(lineStart + skip, lineEnd));
    lineStart = lineEnd;
  }
  return Buffer.concat(parts);
}
