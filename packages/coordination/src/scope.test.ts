import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { EmbeddedCoordination } from './embedded.js';
import { scopeCoordination } from './scope.js';

describe('scopeCoordination', () => {
  let dir: string;
  let shared: EmbeddedCoordination;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailyard-scope-'));
    shared = new EmbeddedCoordination({ dataDir: dir });
  });
  afterEach(async () => {
    await shared.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('views of one scope share counters; another scope counts apart', async () => {
    const imapA = scopeCoordination(shared, 'imap');
    const imapB = scopeCoordination(shared, 'imap');
    const pop3 = scopeCoordination(shared, 'pop3');
    await imapA.loginFailures.increment('ip:192.0.2.1', 60_000);
    expect((await imapB.loginFailures.increment('ip:192.0.2.1', 60_000)).count).toBe(2);
    expect(await pop3.loginFailures.get('ip:192.0.2.1')).toBeNull();
    expect(await shared.loginFailures.get('imap:ip:192.0.2.1')).toMatchObject({ count: 2 });
    await imapB.loginFailures.delete('ip:192.0.2.1');
    expect(await imapA.loginFailures.get('ip:192.0.2.1')).toBeNull();

    expect((await imapA.rateLimits.increment('k', 60_000, 3)).count).toBe(3);
    expect((await pop3.rateLimits.increment('k', 60_000)).count).toBe(1);
    expect((await imapB.consume('c', 1, 60_000)).allowed).toBe(true);
    expect((await imapA.consume('c', 1, 60_000)).allowed).toBe(false);
    expect((await pop3.consume('c', 1, 60_000)).allowed).toBe(true);
  });

  test('events, locks, the queue signal and the shared counters are the shared ones', async () => {
    const view = scopeCoordination(shared, 'imap');
    expect(view.sharedRateLimits).toBe(shared.sharedRateLimits);
    await view.sharedRateLimits.increment('send:a@example.com', 60_000, 2);
    expect(
      (await scopeCoordination(shared, 'api').sharedRateLimits.increment('send:a@example.com', 60_000)).count,
    ).toBe(3);
    expect(view.events).toBe(shared.events);
    expect(view.locks).toBe(shared.locks);
    expect(view.queue).toBe(shared.queue);
    expect(view.backend).toBe('embedded');
  });
});
