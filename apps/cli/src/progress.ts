/**
 * The progress line of long CLI commands (export, import): redrawn in place on a terminal at most every 100 ms,
 * a bar when the total is known. Off a terminal (a pipe, a log) nothing is drawn; the final summary says it all.
 */

export interface ProgressSink {
  /** Writes text as is (no newline added): '\r' redraws the line. */
  write(text: string): void;
  /** True on a terminal, where a redrawn line makes sense. */
  interactive: boolean;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export class ProgressLine {
  #last = 0;
  #drawn = false;

  constructor(
    private readonly sink: ProgressSink | undefined,
    private readonly label: string,
    private readonly totalBytes?: number,
    private readonly totalMessages?: number,
  ) {}

  update(messages: number, bytes: number): void {
    if (!this.sink?.interactive) return;
    const now = Date.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    this.#drawn = true;
    const of = this.totalMessages !== undefined ? `/${this.totalMessages}` : '';
    let bar = '';
    if (this.totalBytes) {
      const share = Math.min(1, bytes / this.totalBytes);
      const filled = Math.round(share * 30);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% `;
    }
    this.sink.write(`\r${this.label} ${bar}${messages}${of} messages, ${megabytes(bytes)}`);
  }

  /** Clears the line so that the summary starts on a clean one. */
  done(): void {
    if (this.#drawn) this.sink?.write('\r\x1b[K');
  }
}

export { megabytes };
