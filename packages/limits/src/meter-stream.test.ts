import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MessageTooLargeError, TryAgainLaterError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { ByteBudget } from './byte-budget.js';
import { meterStream } from './meter-stream.js';

const chunk = (size: number) => Buffer.alloc(size, 0x61);

/** A sink that records what reached it and what the budget held at each write. */
function sink(budget: ByteBudget) {
  const record = { bytes: 0, inUseSeen: [] as number[] };
  const stream = new Writable({
    write(data: Buffer, _encoding, callback) {
      record.bytes += data.length;
      record.inUseSeen.push(budget.inUse);
      callback();
    },
  });
  return { stream, record };
}

describe('meterStream', () => {
  test('holds the bytes that passed until the end, then releases them', async () => {
    const budget = new ByteBudget(10_000);
    const meter = meterStream(budget, 5_000);
    const { stream, record } = sink(budget);
    await pipeline(Readable.from([chunk(1000), chunk(1000), chunk(1000)]), meter, stream);
    expect(record.bytes).toBe(3000);
    expect(record.inUseSeen).toEqual([1000, 2000, 3000]);
    expect(meter.bytes).toBe(3000);
    expect(budget.inUse).toBe(0);
  });

  test('fails with MessageTooLargeError on the chunk past maxBytes, without passing it on', async () => {
    const budget = new ByteBudget(10_000);
    const { stream, record } = sink(budget);
    const source = Readable.from([chunk(400), chunk(400), chunk(400), chunk(400)]);
    await expect(pipeline(source, meterStream(budget, 1000), stream)).rejects.toBeInstanceOf(MessageTooLargeError);
    expect(record.bytes).toBe(800);
    expect(budget.inUse).toBe(0);
  });

  test('fails with TryAgainLaterError when the budget fills, and gives back what it held', async () => {
    const budget = new ByteBudget(10_000);
    const other = budget.reserve(8_500);
    const { stream, record } = sink(budget);
    const source = Readable.from([chunk(1000), chunk(1000)]);
    await expect(pipeline(source, meterStream(budget, 5_000), stream)).rejects.toBeInstanceOf(TryAgainLaterError);
    expect(record.bytes).toBe(1000);
    expect(budget.inUse).toBe(8_500);
    other.release();
    expect(budget.inUse).toBe(0);
  });

  test('an abort signal midway releases the reservation', async () => {
    const budget = new ByteBudget(100_000);
    const controller = new AbortController();
    const { stream, record } = sink(budget);
    const source = Readable.from(
      (async function* () {
        for (let i = 0; i < 100; i++) {
          if (i === 5) controller.abort();
          yield chunk(100);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
    );
    const run = pipeline(source, meterStream(budget, 1_000_000), stream, { signal: controller.signal });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(record.bytes).toBeGreaterThan(0);
    expect(record.bytes).toBeLessThan(10_000);
    expect(budget.inUse).toBe(0);
  });

  test('a TCP client that resets mid-message releases the reservation on the server', async () => {
    const budget = new ByteBudget(10_000_000);
    const received: Promise<unknown>[] = [];
    let firstData: () => void = () => {};
    const gotData = new Promise<void>((resolve) => {
      firstData = resolve;
    });
    const server = createServer((socket: Socket) => {
      const { stream } = sink(budget);
      const meter = meterStream(budget, 5_000_000);
      meter.once('data', () => firstData());
      received.push(
        pipeline(socket, meter, stream).then(
          () => 'ended',
          (err: unknown) => err,
        ),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const client = connect(address.port, '127.0.0.1');
    await once(client, 'connect');
    client.write(chunk(64 * 1024));
    await gotData;
    expect(budget.inUse).toBeGreaterThan(0);
    client.resetAndDestroy();
    await expect.poll(() => received.length).toBe(1);
    const outcome = await received[0];
    expect(outcome).toBeInstanceOf(Error);
    expect(budget.inUse).toBe(0);
    server.close();
    await once(server, 'close');
  });
});
