/**
 * One client of the IMAP stress run (in the spirit of imaptest's stress mode): a raw session that keeps its own
 * model of the selected folder from what the server told it, and records every inconsistency:
 * - EXISTS lower than the messages it knows, EXPUNGE or FETCH of a number it does not have;
 * - EXPUNGE after FETCH, STORE or SEARCH (RFC 3501 §7.4.1);
 * - a FETCH whose UID differs from the UID it knows for that number;
 * - a keyword in FLAGS that was never announced in `* FLAGS` (RFC 3501 §7.2.6);
 * - a MODSEQ lower than one told before for the same message (RFC 7162 §3.1);
 * - a command that does not answer OK where it must.
 */
import { connect, type Socket } from 'node:net';

const FORBID_EXPUNGE = /^(FETCH|STORE|SEARCH)\b/i;

export class StressClient {
  readonly name: string;
  readonly errors: string[] = [];
  /** UIDs by sequence number (0 = not learned yet). */
  uids: number[] = [];
  readonly flags = new Map<number, string>();
  readonly modseqs = new Map<number, number>();
  keywords = new Set<string>();
  operations = 0;
  #socket: Socket;
  #buffer = '';
  #lines: string[] = [];
  #waiter: (() => void) | null = null;
  #tag = 0;

  private constructor(name: string, socket: Socket) {
    this.name = name;
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let at = this.#buffer.indexOf('\r\n');
      while (at >= 0) {
        this.#lines.push(this.#buffer.slice(0, at));
        this.#buffer = this.#buffer.slice(at + 2);
        at = this.#buffer.indexOf('\r\n');
      }
      this.#waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(name: string, port: number, address: string, password: string): Promise<StressClient> {
    const socket = connect({ host: '127.0.0.1', port });
    const client = new StressClient(name, socket);
    await client.#line();
    await client.command(`LOGIN "${address}" "${password}"`);
    await client.command('ENABLE CONDSTORE');
    return client;
  }

  async #line(): Promise<string> {
    while (this.#lines.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.name}: no reply in 20 s`)), 20_000);
        this.#waiter = () => {
          clearTimeout(timer);
          this.#waiter = null;
          resolve();
        };
      });
    }
    return this.#lines.shift() as string;
  }

  /** Sends one command (string, or bytes for a LITERAL+ APPEND), applies its replies to the model. */
  async command(text: string, literal?: Buffer): Promise<{ status: string; lines: string[] }> {
    const tag = `${this.name}.${++this.#tag}`;
    if (literal) {
      this.#socket.write(
        Buffer.concat([Buffer.from(`${tag} ${text} {${literal.length}+}\r\n`), literal, Buffer.from('\r\n')]),
      );
    } else {
      this.#socket.write(`${tag} ${text}\r\n`);
    }
    const lines: string[] = [];
    for (;;) {
      const line = await this.#line();
      if (line.startsWith(`${tag} `)) {
        this.operations++;
        const status = line.slice(tag.length + 1, tag.length + 3) === 'OK' ? 'OK' : (line.split(' ')[1] ?? '');
        return { status, lines };
      }
      lines.push(line);
      if (line.startsWith('* ')) this.#untagged(line.slice(2), text);
    }
  }

  /** A command that must answer OK. */
  async ok(text: string, literal?: Buffer): Promise<string[]> {
    const reply = await this.command(text, literal);
    if (reply.status !== 'OK') this.#error(`${text.slice(0, 40)} answered ${reply.status}`);
    return reply.lines;
  }

  #error(text: string): void {
    if (this.errors.length < 50) this.errors.push(`${this.name}: ${text}`);
  }

  #untagged(line: string, command: string): void {
    const flagsLine = /^FLAGS \(([^)]*)\)/.exec(line);
    if (flagsLine) {
      this.keywords = new Set((flagsLine[1] ?? '').split(' ').filter((f) => f && !f.startsWith('\\')));
      return;
    }
    const numbered = /^(\d+) (EXISTS|EXPUNGE|FETCH)\b(.*)$/.exec(line);
    if (!numbered) return;
    const n = Number(numbered[1]);
    if (numbered[2] === 'EXISTS') this.#exists(n);
    else if (numbered[2] === 'EXPUNGE') this.#expunge(n, command);
    else this.#fetch(n, numbered[3] ?? '');
  }

  #exists(n: number): void {
    if (n < this.uids.length) this.#error(`EXISTS ${n} below the ${this.uids.length} messages known`);
    while (this.uids.length < n) this.uids.push(0);
  }

  #expunge(n: number, command: string): void {
    if (FORBID_EXPUNGE.test(command)) this.#error(`EXPUNGE during ${command.split(' ')[0]}`);
    if (n < 1 || n > this.uids.length) {
      this.#error(`EXPUNGE ${n} of ${this.uids.length}`);
      return;
    }
    const [uid] = this.uids.splice(n - 1, 1);
    if (uid) {
      this.flags.delete(uid);
      this.modseqs.delete(uid);
    }
  }

  #fetch(n: number, data: string): void {
    if (n < 1 || n > this.uids.length) {
      this.#error(`FETCH ${n} of ${this.uids.length}`);
      return;
    }
    const uid = Number(/UID (\d+)/.exec(data)?.[1] ?? 0);
    const known = this.uids[n - 1] ?? 0;
    if (uid && known && uid !== known) this.#error(`FETCH ${n} says UID ${uid}, known as ${known}`);
    if (uid && !known) this.uids[n - 1] = uid;
    const id = uid || known;
    const flags = /FLAGS \(([^)]*)\)/.exec(data)?.[1];
    if (flags !== undefined) {
      for (const flag of flags.split(' ')) {
        if (flag && !flag.startsWith('\\') && !this.keywords.has(flag))
          this.#error(`keyword ${flag} used without being in FLAGS`);
      }
      if (id)
        this.flags.set(
          id,
          flags
            .split(' ')
            .filter((f) => f && f !== '\\Recent')
            .sort()
            .join(' '),
        );
    }
    const modseq = Number(/MODSEQ \((\d+)\)/.exec(data)?.[1] ?? 0);
    if (modseq && id) {
      const before = this.modseqs.get(id) ?? 0;
      if (modseq < before) this.#error(`MODSEQ of UID ${id} dropped ${before} -> ${modseq}`);
      this.modseqs.set(id, Math.max(before, modseq));
    }
  }

  /** SELECT afresh: the model starts over from what SELECT and a full FETCH say. */
  async select(folder: string): Promise<void> {
    this.uids = [];
    this.flags.clear();
    this.modseqs.clear();
    await this.ok(`SELECT ${folder}`);
    if (this.uids.length > 0) await this.ok('FETCH 1:* (UID FLAGS MODSEQ)');
  }

  close(): void {
    this.#socket.destroy();
  }
}
