/** The scaling bench's minimal IMAP client: tagged commands over one socket, replies matched by pattern. */
import { connect, type Socket } from 'node:net';

/** A line-based IMAP client: send a tagged command, resolve with everything up to its tagged reply. */
export class Wire {
  #buffer = '';
  #waiting: (() => void) | null = null;
  bytes = 0;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.#buffer += chunk.toString('latin1');
      this.#waiting?.();
    });
    socket.on('error', () => undefined);
  }
  static async open(port: number): Promise<Wire> {
    const wire = new Wire(connect(port, '127.0.0.1'));
    await wire.until(/^\* OK/m);
    return wire;
  }
  until(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => {
      // Only the text after the last complete line already looked at is searched again (a FETCH reply is MBs).
      let from = 0;
      const check = () => {
        const tail = this.#buffer.slice(from);
        const match = pattern.exec(tail);
        if (!match) {
          const lineEnd = tail.lastIndexOf('\r\n');
          if (lineEnd >= 0) from += lineEnd + 2;
          this.#waiting = check;
          return;
        }
        match.index += from;
        const end = this.#buffer.indexOf('\r\n', match.index) + 2;
        const text = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end);
        this.#waiting = null;
        resolve(text);
      };
      check();
    });
  }
  command(tag: string, command: string): Promise<string> {
    this.socket.write(`${tag} ${command}\r\n`);
    return this.until(new RegExp(`^${tag} (OK|NO|BAD)`, 'm'));
  }
}
