import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SmtpConnectionPool } from './connection-pool.js';
import { deliverToHost, type HostAttempt } from './smtp-client.js';

interface Sink {
  port: number;
  connections: number;
  open: number;
  maxOpen: number;
  delivered: string[];
  /** Ends every session the sink holds, as a remote closing idle sessions does. */
  dropAll(): void;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const counts = { connections: 0, open: 0, maxOpen: 0, delivered: [] as string[] };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      counts.connections += 1;
      counts.open += 1;
      counts.maxOpen = Math.max(counts.maxOpen, counts.open);
      callback();
    },
    onClose() {
      counts.open -= 1;
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        counts.delivered.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  // smtp-server keeps its open sessions in `connections`; closing one is what a remote's idle timeout does.
  const sessions = (server as unknown as { connections: Set<{ close(): void }> }).connections;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  return Object.assign(counts, {
    port: typeof address === 'object' && address ? address.port : 0,
    dropAll: () => {
      for (const session of sessions) session.close();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const body = Buffer.from('Subject: pooled\r\n\r\nhello\r\n');
let sink: Sink;
let pool: SmtpConnectionPool;

beforeEach(async () => {
  sink = await startSink();
  pool = new SmtpConnectionPool({ maxPerHost: 2, idleMs: 5_000, maxMessages: 3 });
});

afterEach(async () => {
  pool.closeIdle();
  await sink.close();
});

function attempt(): HostAttempt {
  return {
    address: '127.0.0.1',
    host: 'mx.sink.test',
    port: sink.port,
    heloName: 'out.test',
    requireTls: false,
    timeoutMs: 5_000,
    connectTimeoutMs: 5_000,
  };
}

const send = (to: string) => deliverToHost(attempt(), pool, { from: 'a@out.test', body, envelopes: [{ to: [to] }] });

describe('pooled SMTP sessions (RFC 5321 §3.3: several transactions per session)', () => {
  test('sequential messages share one session until maxMessages, then a new one opens', async () => {
    for (let i = 0; i < 4; i++) expect((await send(`r${i}@sink.test`))[0]?.status).toBe('delivered');
    expect(sink.delivered).toEqual(['r0@sink.test', 'r1@sink.test', 'r2@sink.test', 'r3@sink.test']);
    expect(sink.connections).toBe(2);
  });

  test('concurrent messages open at most maxPerHost sessions', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => send(`c${i}@sink.test`)));
    expect(results.flat().every((r) => r.status === 'delivered')).toBe(true);
    expect(sink.delivered).toHaveLength(8);
    expect(sink.maxOpen).toBeLessThanOrEqual(2);
  });

  test('a session the remote dropped while idle is replaced, and the message still goes', async () => {
    expect((await send('before@sink.test'))[0]?.status).toBe('delivered');
    sink.dropAll();
    expect((await send('after@sink.test'))[0]?.status).toBe('delivered');
    expect(sink.delivered).toEqual(['before@sink.test', 'after@sink.test']);
    expect(sink.connections).toBe(2);
  });
});
