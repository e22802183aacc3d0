/**
 * Deadlines of one SMTP connection that smtp-server's idle timeout cannot give: a client that drips one byte a
 * second is never idle. A command line must be complete within commandTimeoutMs of its first byte; a DATA
 * transfer must end within dataTimeoutMs of the 354 reply and move at least minDataBytesPerSecond over every
 * dataRateWindowMs (RFC 5321 §4.5.3.2 lets a server close a session that exceeds its timeouts). Past any of them
 * the client gets 421 4.4.2 and the connection is closed (RFC 5321 §3.8). Every timer is cleared when the
 * connection closes, and none keeps the process alive.
 */

const LF = 0x0a;

/** What the guard needs of smtp-server's connection object. */
export interface GuardedConnection {
  send(code: number, data?: string | string[] | null, context?: string | false): void;
  close(): void;
}

export interface GuardLimits {
  commandTimeoutMs: number;
  dataTimeoutMs: number;
  minDataBytesPerSecond: number;
  dataRateWindowMs: number;
}

/** The watch over one DATA transfer, fed by the reader. */
export interface DataWatch {
  progress(bytes: number): void;
  end(): void;
}

interface Readable {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
}

export class ConnectionGuard {
  readonly #connection: GuardedConnection;
  readonly #limits: GuardLimits;
  readonly #onBytes = (chunk: Buffer) => this.#commandBytes(chunk);
  #socket: Readable | null = null;
  #commandTimer: NodeJS.Timeout | undefined;
  #inData = false;
  #data: { total: NodeJS.Timeout; window: NodeJS.Timeout } | null = null;
  #closed = false;

  constructor(connection: GuardedConnection, limits: GuardLimits) {
    this.#connection = connection;
    this.#limits = limits;
  }

  /**
   * Watches the bytes of `socket` (the plain socket, then the TLS socket after STARTTLS). A new socket starts a
   * new byte stream: whatever the old one left half-timed (handshake bytes) no longer counts.
   */
  watch(socket: Readable): void {
    if (socket === this.#socket || this.#closed) return;
    this.#clearCommand();
    this.#socket?.off('data', this.#onBytes);
    this.#socket = socket;
    socket.on('data', this.#onBytes);
  }

  /** Starts the DATA deadline and rate check; command timing pauses until the returned watch ends. */
  startData(): DataWatch {
    this.#inData = true;
    this.#clearCommand();
    let windowBytes = 0;
    const minimum = (this.#limits.minDataBytesPerSecond * this.#limits.dataRateWindowMs) / 1000;
    const total = setTimeout(() => this.#expire('DATA took too long'), this.#limits.dataTimeoutMs);
    const window = setInterval(() => {
      if (windowBytes < minimum) this.#expire('DATA too slow');
      windowBytes = 0;
    }, this.#limits.dataRateWindowMs);
    total.unref();
    window.unref();
    this.#data = { total, window };
    return {
      progress: (bytes) => {
        windowBytes += bytes;
      },
      end: () => this.#endData(),
    };
  }

  /** The connection closed: stop every timer. */
  stop(): void {
    this.#closed = true;
    this.#clearCommand();
    this.#endData();
    this.#socket?.off('data', this.#onBytes);
    this.#socket = null;
  }

  /** A chunk ending in LF completes its lines; bytes after the last LF start a partial line, timed from now. */
  #commandBytes(chunk: Buffer): void {
    if (this.#inData || chunk.length === 0) return;
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf >= 0) this.#clearCommand();
    if (lastLf === chunk.length - 1 || this.#commandTimer) return;
    this.#commandTimer = setTimeout(() => this.#expire('command took too long'), this.#limits.commandTimeoutMs);
    this.#commandTimer.unref();
  }

  #clearCommand(): void {
    clearTimeout(this.#commandTimer);
    this.#commandTimer = undefined;
  }

  #endData(): void {
    this.#inData = false;
    if (!this.#data) return;
    clearTimeout(this.#data.total);
    clearInterval(this.#data.window);
    this.#data = null;
  }

  #expire(reason: string): void {
    if (this.#closed) return;
    this.stop();
    this.#connection.send(421, `4.4.2 ${reason}, closing connection`);
    this.#connection.close();
  }
}
