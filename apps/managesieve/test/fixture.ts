/**
 * A ManageSieve server on port 0 of 127.0.0.1 over a real SqliteControlStore in a temp data dir, with one mailbox
 * alias (alice@example.test, password PASSWORD) and a second one (bob@example.test) whose scripts alice must never
 * see. `wire()` opens a raw socket that reads responses line by line (literals included).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { type Config, createSelfSignedPair, loadConfig } from '@mailyard/config';
import type { Alias } from '@mailyard/control';
import { SqliteControlStore } from '@mailyard/control';
import { captureLog, type LogLine, type TempDir, tempDir } from '@mailyard/testkit';
import { createManageSieveServer, type ManageSieveService } from '../src/index.js';

export const ADDRESS = 'alice@example.test';
export const PASSWORD = 'correct horse battery staple';
export const BOB = 'bob@example.test';
const TEST_KDF = { N: 1024, r: 8, p: 1 };
export const TLS = createSelfSignedPair('localhost');

export interface SieveFixture {
  port: number;
  control: SqliteControlStore;
  alice: Alias;
  bob: Alias;
  logs: LogLine[];
  service: ManageSieveService;
  wire(): Promise<Wire>;
  close(): Promise<void>;
}

export async function startManageSieve(settings: Partial<Config['managesieve']> = {}, allowInsecureAuth = true) {
  const dir: TempDir = await tempDir('managesieve-');
  const { logger, lines: logs } = captureLog({ level: 'info' });
  const config = loadConfig({
    env: {},
    overrides: { dataDir: dir.path, hostname: 'localhost', allowInsecureAuth, managesieve: settings },
  });
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey: randomBytes(32), scryptCost: TEST_KDF });
  const account = await control.createAccount({ email: 'owner@example.test', password: 'pw' });
  const domain = await control.createDomain({
    accountId: account.id,
    name: 'example.test',
    verificationToken: 't',
    dkim: { selector: 's', publicKey: 'p', privateKeyPem: 'k' },
    verified: true,
  });
  const alice = await control.createAlias(domain.id, { name: 'alice' });
  await control.setMailboxCredential(alice.id, 'mbx-alice', PASSWORD);
  const bob = await control.createAlias(domain.id, { name: 'bob' });
  await control.setMailboxCredential(bob.id, 'mbx-bob', 'bobs password');
  const service = createManageSieveServer({ config, logger, control, tls: TLS });
  const port = await service.listen(0, '127.0.0.1');
  const sockets: Wire[] = [];
  return {
    port,
    control,
    alice,
    bob,
    logs,
    service,
    wire: async () => {
      const w = await Wire.open(port);
      sockets.push(w);
      return w;
    },
    close: async () => {
      for (const w of sockets) w.destroy();
      await service.close();
      await control.close();
      await dir.cleanup();
    },
  } satisfies SieveFixture;
}

/** A raw client: send bytes, read responses up to and including their OK/NO/BYE line. */
export class Wire {
  readonly socket: Socket;
  #buffer = '';
  #waiters: Array<() => void> = [];
  #ended = false;
  /** The server's first response: the capabilities, or BYE when the connection was refused. */
  greeting = '';

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.#buffer += text;
      this.#wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<Wire> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const wire = new Wire(socket);
    wire.greeting = await wire.response();
    return wire;
  }

  get ended(): boolean {
    return this.#ended;
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  send(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a command and returns the whole response (data lines and the final OK/NO/BYE line). */
  async command(line: string | Buffer): Promise<string> {
    this.send(typeof line === 'string' && !line.endsWith('\n') ? `${line}\r\n` : line);
    return this.response();
  }

  /** Everything up to the next line starting with OK, NO or BYE outside a literal. */
  async response(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = responseEnd(this.#buffer);
      if (end >= 0) {
        const text = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end);
        return text;
      }
      if (this.#ended) return this.#take();
      if (Date.now() > deadline) throw new Error(`no response; got so far: ${JSON.stringify(this.#buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** A line that is not a complete response (a SASL challenge). */
  async line(): Promise<string> {
    for (;;) {
      const lf = this.#buffer.indexOf('\n');
      if (lf >= 0) {
        const text = this.#buffer.slice(0, lf + 1);
        this.#buffer = this.#buffer.slice(lf + 1);
        return text;
      }
      if (this.#ended) throw new Error('connection closed');
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #take(): string {
    const text = this.#buffer;
    this.#buffer = '';
    return text;
  }

  async closed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Offset just past the first complete OK/NO/BYE line, skipping literal payloads; -1 when none yet. */
function responseEnd(text: string): number {
  let pos = 0;
  while (pos < text.length) {
    const lf = text.indexOf('\n', pos);
    if (lf < 0) return -1;
    const line = text.slice(pos, lf + 1);
    if (/^(OK|NO|BYE)\b/.test(line)) return lf + 1;
    const literal = /\{(\d+)\}\r\n$/.exec(line);
    pos = lf + 1;
    if (literal) {
      const bytes = Number(literal[1]);
      const rest = Buffer.from(text.slice(pos));
      if (rest.length < bytes) return -1;
      pos += rest.subarray(0, bytes).toString('utf8').length;
    }
  }
  return -1;
}

export function plainAuth(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`).toString('base64');
}
