/** A raw IMAP socket for protocol tests: send bytes, read until a line matching a pattern arrives. */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface WireClient {
  socket: Socket;
  /** Everything received so far that has not been consumed by readUntil. */
  buffer: string;
  send(data: string | Buffer): void;
  /** Resolves with the text up to and including the first line matching `pattern`. */
  readUntil(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `tag command` and returns the reply lines up to the tagged completion. */
  command(tag: string, command: string): Promise<string>;
  closed(): Promise<void>;
  close(): void;
}

export async function openWire(port: number, options: { tls?: boolean } = {}): Promise<WireClient> {
  const socket = options.tls
    ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false })
    : connect({ host: '127.0.0.1', port });
  const client = wrap(socket);
  await client.readUntil(/^\* OK/m);
  return client;
}

export function wrap(socket: Socket): WireClient {
  let waiter: (() => void) | null = null;
  let ended = false;
  const client: WireClient = {
    socket,
    buffer: '',
    send: (data) => {
      socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    },
    readUntil: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          reject(new Error(`timeout waiting for ${pattern}; got ${JSON.stringify(client.buffer)}`));
        }, timeoutMs);
        const check = () => {
          const lines = client.buffer.split('\r\n');
          let consumed = 0;
          for (let i = 0; i < lines.length - 1; i++) {
            consumed += (lines[i] ?? '').length + 2;
            if (pattern.test(lines[i] ?? '')) {
              clearTimeout(timer);
              waiter = null;
              const text = client.buffer.slice(0, consumed);
              client.buffer = client.buffer.slice(consumed);
              return resolve(text);
            }
          }
          if (ended) {
            clearTimeout(timer);
            reject(new Error(`connection closed; got ${JSON.stringify(client.buffer)}`));
            return;
          }
          waiter = check;
        };
        check();
      }),
    command: (tag, command) => {
      socket.write(Buffer.from(`${tag} ${command}\r\n`, 'latin1'));
      return client.readUntil(new RegExp(`^${tag} (OK|NO|BAD)`));
    },
    closed: () =>
      new Promise((resolve) => {
        if (ended) return resolve();
        socket.once('close', () => resolve());
      }),
    close: () => socket.destroy(),
  };
  socket.on('data', (chunk: Buffer) => {
    client.buffer += chunk.toString('binary');
    waiter?.();
  });
  socket.on('close', () => {
    ended = true;
    waiter?.();
  });
  socket.on('error', () => undefined);
  return client;
}

export async function loginWire(port: number, address: string, password: string): Promise<WireClient> {
  const client = await openWire(port);
  const reply = await client.command('L1', `LOGIN "${address}" "${password}"`);
  if (!/^L1 OK/m.test(reply)) throw new Error(`login failed: ${reply}`);
  return client;
}
