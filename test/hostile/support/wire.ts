/**
 * A raw client connection for hostile tests: bytes out, bytes counted in, and one question asked of the server
 * after every send: did it answer (any output) or close within a bound, or stay silent?
 */
import { connect, type Socket } from 'node:net';

export type Outcome = 'output' | 'closed' | 'silent';

/** Output kept for inspection; the count of bytes received goes on past it. */
const KEPT_OUTPUT_BYTES = 64 * 1024;

export class WireConnection {
  #kept = '';
  #received = 0;
  #closed = false;
  #wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      this.#kept = (this.#kept + chunk.toString('latin1')).slice(-KEPT_OUTPUT_BYTES);
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  /** Connects to 127.0.0.1; `localAddress` (another loopback address, 127.0.0.2) stands for another client IP. */
  static open(port: number, localAddress?: string): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) }, () => {
        socket.off('error', reject);
        resolve(new WireConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get received(): number {
    return this.#received;
  }

  /** The newest output (up to 64 KB), as latin1 text. */
  get output(): string {
    return this.#kept;
  }

  /** Output received after byte `from` of the whole stream (within what is kept). */
  outputSince(from: number): string {
    const fresh = this.#received - from;
    return fresh <= 0 ? '' : this.#kept.slice(-Math.min(fresh, this.#kept.length));
  }

  /** Resolves when more than `from` bytes were received, the connection closed, or `timeoutMs` passed. */
  async waitPast(from: number, timeoutMs: number): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs;
    while (this.#received <= from && !this.#closed) {
      const left = deadline - Date.now();
      if (left <= 0) return 'silent';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    return this.#received > from ? 'output' : 'closed';
  }

  /** Resolves when the output matches `pattern`, the connection closed, or `timeoutMs` passed. */
  async waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (pattern.test(this.outputSince(from))) return true;
      if (this.#closed || Date.now() >= deadline) return false;
      await this.waitPast(this.#received, deadline - Date.now());
    }
  }

  /** Sends `bytes` and waits for any answer or close (see Outcome). */
  async exchange(bytes: Buffer | string, timeoutMs: number): Promise<Outcome> {
    const from = this.#received;
    if (this.#closed) return 'closed';
    this.socket.write(bytes);
    return this.waitPast(from, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
