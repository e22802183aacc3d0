/**
 * A client of ClamAV's clamd over its INSTREAM command (clamd(8)): on a unix socket or a TCP address, the client
 * sends `zINSTREAM\0`, then the message in chunks, each a 4-byte big-endian length and that many bytes, then a
 * zero length; clamd answers one NUL-terminated line: `stream: OK`, `stream: <signature> FOUND`, or
 * `<reason> ERROR` (for example `INSTREAM size limit exceeded. ERROR` past its StreamMaxLength, after which
 * it closes the connection). The protocol is small and fixed, so it is written here rather than taken from a
 * library (the npm clamd clients also wrap the clamscan binary, or are unmaintained).
 *
 * A connection, write or read failure, a reply that is not one of the above, and the time limit are
 * ExternalErrors: the caller decides whether that fails open or closed (clamd.failClosed).
 */
import { connect, type Socket } from 'node:net';
import { ExternalError } from '@mailyard/errors';

/** Where clamd listens: its LocalSocket path, or its TCPAddr and TCPSocket. */
export type ClamdAddress = { socket: string } | { host: string; port: number };

export interface ClamdClientOptions {
  address: ClamdAddress;
  timeoutMs: number;
}

export type ClamdResult = { infected: false } | { infected: true; signature: string };

export interface ClamdClient {
  /** Scans the bytes of `body` as one stream. */
  scan(body: AsyncIterable<Buffer>): Promise<ClamdResult>;
}

/** clamd's default StreamMaxLength is 25 MiB; chunks well below that keep each write small. */
const CHUNK_BYTES = 64 * 1024;
/** A reply longer than this is no clamd answer (a signature name is short). */
const MAX_REPLY_BYTES = 4096;

/** `host:port` or `[v6]:port` as an address; undefined when malformed. */
export function parseClamdTcpAddress(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/i.exec(value);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port };
}

/** One reply line (without its NUL) as a result, or an ExternalError with clamd's reason. */
export function parseClamdReply(line: string): ClamdResult {
  const text = line.trim();
  if (text === 'stream: OK') return { infected: false };
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found?.[1]) return { infected: true, signature: found[1] };
  const error = /^(?:stream: )?(.*) ERROR$/.exec(text);
  if (error) throw new ExternalError(`clamd could not scan the message: ${error[1]}`);
  throw new ExternalError(`clamd gave an unknown reply: ${text.slice(0, 200)}`);
}

function lengthPrefix(length: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(length, 0);
  return prefix;
}

/** Writes `bytes`, waiting for 'drain' when the socket's buffer is full; false once the socket is gone. */
async function write(socket: Socket, bytes: Buffer): Promise<boolean> {
  if (socket.destroyed || socket.writableEnded) return false;
  if (socket.write(bytes)) return true;
  return new Promise<boolean>((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve(!socket.destroyed);
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

async function sendStream(socket: Socket, body: AsyncIterable<Buffer>): Promise<void> {
  if (!(await write(socket, Buffer.from('zINSTREAM\0', 'latin1')))) return;
  for await (const piece of body) {
    for (let at = 0; at < piece.length; at += CHUNK_BYTES) {
      const chunk = piece.subarray(at, at + CHUNK_BYTES);
      // clamd may stop reading (size limit) and answer early: the reply, not the write, tells what happened.
      if (!(await write(socket, lengthPrefix(chunk.length)))) return;
      if (!(await write(socket, chunk))) return;
    }
  }
  await write(socket, lengthPrefix(0));
}

export function createClamdClient(options: ClamdClientOptions): ClamdClient {
  const { address, timeoutMs } = options;
  const where = 'socket' in address ? address.socket : `${address.host}:${address.port}`;
  const scan = (body: AsyncIterable<Buffer>): Promise<ClamdResult> =>
    new Promise<ClamdResult>((resolve, reject) => {
      const socket = 'socket' in address ? connect(address.socket) : connect(address.port, address.host);
      let reply = Buffer.alloc(0);
      let settled = false;
      const finish = (err: Error | null, result?: ClamdResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (err) reject(err instanceof ExternalError ? err : new ExternalError(`clamd at ${where}: ${err.message}`));
        else if (result) resolve(result);
      };
      const answer = () => {
        const end = reply.indexOf(0);
        const line = (end >= 0 ? reply.subarray(0, end) : reply).toString('utf8');
        try {
          finish(null, parseClamdReply(line));
        } catch (err) {
          finish(err as Error);
        }
      };
      const timer = setTimeout(
        () => finish(new ExternalError(`clamd at ${where} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.on('data', (chunk: Buffer) => {
        reply = Buffer.concat([reply, chunk]);
        if (reply.includes(0)) return answer();
        if (reply.length > MAX_REPLY_BYTES) finish(new ExternalError(`clamd at ${where}: reply too long`));
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        // A write after clamd gave up on the stream fails with EPIPE or ECONNRESET; its reply may be in already,
        // and when it is not, the cause is almost always the stream size limit.
        if (reply.length > 0) return answer();
        if (err.code === 'EPIPE' || err.code === 'ECONNRESET') {
          const why = 'closed the connection during the stream (past its StreamMaxLength?)';
          return finish(new ExternalError(`clamd at ${where} ${why}`, { cause: err }));
        }
        finish(err);
      });
      socket.on('close', () => {
        if (reply.length > 0) return answer();
        finish(new ExternalError(`clamd at ${where} closed the connection without a reply`));
      });
      socket.once('connect', () => {
        sendStream(socket, body).catch((err: unknown) => finish(err as Error));
      });
    });
  return { scan };
}
