/**
 * One ManageSieve connection (RFC 5804): greets with the capability response (§1.7), reads lines with the
 * CommandReader, runs one command at a time (the socket is paused while a command runs, so a pipelining client
 * cannot make the server buffer without bound), and answers each with OK, NO or BYE.
 *
 * States (§2): not authenticated (CAPABILITY, AUTHENTICATE, STARTTLS, LOGOUT, NOOP) and authenticated (those but
 * AUTHENTICATE and STARTTLS, plus the script commands and UNAUTHENTICATE). A SASL exchange in progress takes the
 * next line as its response instead of a command. STARTTLS (§2.2) drops anything the client sent after the command
 * before the handshake (no plaintext injection into the TLS session) and re-issues the capabilities afterwards.
 *
 * Ends with BYE on a line or literal the reader cannot follow, after maxBadCommands unparsable commands in a row,
 * at the idle timeout, and when the server closes.
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { capabilityResponse } from './capabilities.js';
import { COMMANDS } from './commands/index.js';
import type { ManageSieveContext, SieveUser } from './context.js';
import { MANAGESIEVE_LIMITS } from './limits.js';
import { CommandReader, type ReadResult, type Token } from './protocol/reader.js';
import { response } from './protocol/writer.js';
import { errorResponse } from './replies.js';

/** The next line of a SASL exchange (null when the client sent something unreadable instead). */
export type Continuation = (tokens: Token[] | null) => Promise<void>;

export class Session {
  readonly ctx: ManageSieveContext;
  readonly remoteAddress: string;
  user: SieveUser | null = null;
  continuation: Continuation | null = null;
  #socket: Socket;
  #tls = false;
  #reader = new CommandReader();
  #busy = false;
  #closed = false;
  #badInARow = 0;
  readonly #idleTimeoutMs: number;
  readonly #onData = (chunk: Buffer) => this.#received(chunk);

  constructor(socket: Socket, ctx: ManageSieveContext, idleTimeoutMs: number) {
    this.#socket = socket;
    this.ctx = ctx;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#attach(socket);
    this.write(this.capabilities());
  }

  get tls(): boolean {
    return this.#tls;
  }

  capabilities(): string {
    return capabilityResponse({
      tls: this.#tls,
      allowInsecureAuth: this.ctx.allowInsecureAuth,
      owner: this.user?.address ?? null,
    });
  }

  write(text: string): void {
    if (!this.#closed) this.#socket.write(text);
  }

  /** BYE and close (RFC 5804 §1.3: BYE is sent before the server closes the connection). */
  bye(text: string, code?: string): void {
    this.write(response('BYE', text, code));
    this.end();
  }

  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
    this.#socket.destroySoon();
  }

  /**
   * RFC 5804 §2.2: after the OK, the handshake; bytes that arrived after the STARTTLS line are dropped. Once the
   * handshake is done the capabilities are sent again.
   */
  startTls(): void {
    const plain = this.#socket;
    plain.off('data', this.#onData);
    this.#reader = new CommandReader();
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.ctx.secureContext });
    const handshake = setTimeout(() => secure.destroy(), MANAGESIEVE_LIMITS.tlsHandshakeMs);
    secure.once('secure', () => {
      clearTimeout(handshake);
      this.#tls = true;
      this.write(this.capabilities());
    });
    secure.on('close', () => clearTimeout(handshake));
    this.#socket = secure;
    this.#attach(secure);
  }

  #attach(socket: Socket): void {
    socket.on('data', this.#onData);
    socket.on('error', (err) => this.ctx.logger.debug({ err }, 'managesieve connection error'));
    socket.setTimeout(this.#idleTimeoutMs, () => this.bye('Idle timeout, closing the connection', 'TRYLATER'));
  }

  #received(chunk: Buffer): void {
    this.#reader.push(chunk);
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    this.#socket.pause();
    try {
      for (let result = this.#reader.next(); result && !this.#closed; result = this.#reader.next()) {
        await this.#handle(result);
      }
    } finally {
      this.#busy = false;
      if (!this.#closed) this.#socket.resume();
    }
  }

  async #handle(result: ReadResult): Promise<void> {
    if (result.kind === 'fatal') return this.bye(result.reason);
    const continuation = this.continuation;
    if (continuation) {
      this.continuation = null;
      return this.#guarded('AUTHENTICATE', () => continuation(result.kind === 'line' ? result.tokens : null));
    }
    if (result.kind === 'tooLarge') {
      const limit = MANAGESIEVE_LIMITS.maxLiteralBytes;
      return this.write(
        response('NO', `A literal of ${result.size} octets is over the limit of ${limit}`, 'QUOTA/MAXSIZE'),
      );
    }
    if (result.kind === 'bad') return this.#bad(result.reason);
    return this.#command(result.tokens);
  }

  async #command(tokens: Token[]): Promise<void> {
    const [first, ...args] = tokens;
    if (first?.kind !== 'atom') return this.#bad(first ? 'Expected a command name' : 'Empty command');
    const name = first.value.toUpperCase();
    const command = COMMANDS[name];
    if (!command) return this.#bad(`Unknown command ${name.slice(0, 32)}`);
    this.#badInARow = 0;
    if (command.state === 'authenticated' && !this.user) {
      return this.write(response('NO', `${name} needs an authenticated session`));
    }
    if (command.state === 'unauthenticated' && this.user) {
      return this.write(response('NO', `${name} is not allowed after authentication`));
    }
    await this.#guarded(name, () => command.run(this, args));
  }

  async #guarded(name: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.write(errorResponse(this.ctx.logger, err, name));
    }
  }

  #bad(reason: string): void {
    this.write(response('NO', reason));
    this.#badInARow++;
    if (this.#badInARow >= MANAGESIEVE_LIMITS.maxBadCommands) this.bye('Too many errors, closing the connection');
  }
}
