/**
 * Two dashboard instances over one data dir (PM2 cluster mode, or a restart): a login, its flash messages, a
 * logout and a password change made through one are seen by the other, because sessions live in the control store.
 */
import { randomBytes } from 'node:crypto';
import { ensureRuntimeFiles } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebServer, type WebServer } from '../src/index.js';
import { type Harness, startHarness, WebClient } from './harness.js';

describe('sessions shared by two web instances', () => {
  const sessionSecret = randomBytes(32);
  let h: Harness;
  let control: SqliteControlStore;
  let other: WebServer;
  let otherBase: string;

  beforeAll(async () => {
    h = await startHarness({ sessionSecret });
    const { masterKey } = await ensureRuntimeFiles(h.config);
    control = new SqliteControlStore({ dataDir: h.dataDir, masterKey, scryptCost: { N: 1024, r: 8, p: 1 } });
    other = createWebServer({ config: h.config, logger: h.logger, control, mailstore: h.mailstore, sessionSecret });
    otherBase = `http://127.0.0.1:${await other.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await other.close();
    await control.close();
    await h.close();
  });

  /** The same browser (same cookie) talking to the other instance. */
  const onOther = (client: WebClient) => Object.assign(new WebClient(otherBase), { cookie: client.cookie });

  test('a login made on one instance is valid on the other, and a logout there ends it here', async () => {
    const client = await new WebClient(h.base).signUp('cluster@example.org');
    const elsewhere = onOther(client);
    const page = await elsewhere.get('/domains');
    expect(page.status).toBe(200);
    expect(page.text).toContain('cluster@example.org');
    await elsewhere.post('/logout');
    const after = await client.get('/domains');
    expect(after.status).toBe(303);
    expect(after.location).toBe('/login?next=%2Fdomains');
  });

  test('a password change on one instance logs out the other sessions and shows its message on the next', async () => {
    const client = new WebClient(h.base);
    await client.login('cluster@example.org');
    const second = new WebClient(h.base);
    expect((await second.login('cluster@example.org')).status).toBe(303);
    const elsewhere = onOther(client);
    await elsewhere.get('/account');
    const changed = await elsewhere.post('/account/password', {
      current: 'long enough pw',
      password: 'another passphrase',
      confirm: 'another passphrase',
    });
    expect(changed.status).toBe(303);
    const back = Object.assign(new WebClient(h.base), { cookie: elsewhere.cookie });
    expect((await back.get('/account')).text).toContain('Password changed');
    expect((await back.get('/account')).text).not.toContain('Password changed');
    expect((await second.get('/domains')).status).toBe(303);
  });
});
