/**
 * /v1/spam-classifier over real HTTP with the mailbox's own credentials: what the mailbox's classifier has learnt
 * (every 2xx JSON reply checked against the OpenAPI document by the harness), trained through the API's own
 * message updates (a move into Junk, the $Junk and $NotJunk keywords), and forgotten by DELETE; another mailbox's
 * classifier is left alone; an API token or a wrong password gets 401.
 */
import { spamSamples } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const DOMAIN = 'learn.example';
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

let h: Harness;
let token: string;
const box = { address: `box@${DOMAIN}`, password: '', mailboxId: '' };
const other = { address: `other@${DOMAIN}`, password: '', mailboxId: '' };

beforeAll(async () => {
  h = await startHarness({ signupOpen: true });
  token = await h.signUp(`owner@${DOMAIN}`);
  expect((await h.call('POST', '/v1/domains', { token, json: { name: DOMAIN, verified: true } })).status).toBe(201);
  for (const user of [box, other]) {
    const name = user.address.split('@')[0] ?? '';
    await h.call('POST', `/v1/domains/${DOMAIN}/aliases`, { token, json: { name, has_imap: true } });
    user.password = (
      await h.call('POST', `/v1/domains/${DOMAIN}/aliases/${name}/generate-password`, { token })
    ).body.password;
    const domain = await h.control.findDomainByName(DOMAIN);
    user.mailboxId = (await h.control.findAlias(domain?.id ?? '', name))?.mailboxId ?? '';
  }
});

afterAll(async () => {
  expect(h.errors).toEqual([]);
  await h.close();
});

/** Delivers the messages to the box and returns their ids, oldest first. */
async function delivered(raws: Buffer[]): Promise<string[]> {
  for (const raw of raws) await h.mailstore.deliver(box.mailboxId, raw);
  const list = await h.call('GET', `/v1/messages?folder=INBOX&limit=${raws.length}`, {
    headers: basic(box.address, box.password),
  });
  expect(list.status).toBe(200);
  return (list.body as Array<{ id: string }>).map((m) => m.id).reverse();
}

test('GET shows what the classifier learnt from API moves and $Junk / $NotJunk; DELETE forgets it, only for this mailbox', async () => {
  const auth = basic(box.address, box.password);
  const empty = await h.call('GET', '/v1/spam-classifier', { headers: auth });
  expect(empty.status).toBe(200);
  expect(empty.body).toEqual({
    trained_spam: 0,
    trained_ham: 0,
    tokens: 0,
    max_tokens: 100_000,
    min_trained: 10,
    threshold: 0.9,
    enabled: true,
    active: false,
  });

  const [moved, marked, corrected] = await delivered(spamSamples(3, 300));
  expect((await h.call('PUT', `/v1/messages/${moved}`, { headers: auth, json: { folder: 'Junk' } })).status).toBe(200);
  for (const id of [marked, corrected, marked]) {
    const res = await h.call('PUT', `/v1/messages/${id}`, { headers: auth, json: { keywords: ['$Junk'] } });
    expect(res.status).toBe(200);
    expect(res.body.keywords).toEqual(['$Junk']);
  }
  let status = await h.call('GET', '/v1/spam-classifier', { headers: auth });
  expect(status.body).toMatchObject({ trained_spam: 3, trained_ham: 0, active: false });
  expect(status.body.tokens).toBeGreaterThan(20);
  // A correction as mail clients make it: $Junk off, $NotJunk on; the spam training is taken back.
  const fix = await h.call('PUT', `/v1/messages/${corrected}`, { headers: auth, json: { keywords: ['$NotJunk'] } });
  expect(fix.status).toBe(200);
  status = await h.call('GET', '/v1/spam-classifier', { headers: auth });
  expect(status.body).toMatchObject({ trained_spam: 2, trained_ham: 1 });

  // The other mailbox learns on its own.
  const otherAuth = basic(other.address, other.password);
  await h.mailstore.deliver(other.mailboxId, spamSamples(1, 400)[0] as Buffer);
  const [otherMsg] = (await h.call('GET', '/v1/messages?folder=INBOX', { headers: otherAuth })).body as Array<{
    id: string;
  }>;
  await h.call('PUT', `/v1/messages/${otherMsg?.id}`, { headers: otherAuth, json: { folder: 'Junk' } });
  expect((await h.call('GET', '/v1/spam-classifier', { headers: otherAuth })).body).toMatchObject({
    trained_spam: 1,
    trained_ham: 0,
  });

  const forgot = await h.call('DELETE', '/v1/spam-classifier', { headers: auth });
  expect(forgot.status).toBe(204);
  expect((await h.call('GET', '/v1/spam-classifier', { headers: auth })).body).toMatchObject({
    trained_spam: 0,
    trained_ham: 0,
    tokens: 0,
  });
  expect((await h.call('GET', '/v1/spam-classifier', { headers: otherAuth })).body).toMatchObject({
    trained_spam: 1,
  });
  // Forgotten means forgotten: marking the moved message again trains it afresh.
  const again = await h.call('PUT', `/v1/messages/${marked}`, { headers: auth, json: { keywords: ['$NotJunk'] } });
  expect(again.status).toBe(200);
  expect((await h.call('GET', '/v1/spam-classifier', { headers: auth })).body).toMatchObject({
    trained_spam: 0,
    trained_ham: 1,
  });
});

test('an API token or a wrong mailbox password is refused with 401', async () => {
  expect((await h.call('GET', '/v1/spam-classifier', { token })).status).toBe(401);
  expect((await h.call('DELETE', '/v1/spam-classifier', { token })).status).toBe(401);
  const wrong = basic(box.address, 'not the password');
  expect((await h.call('GET', '/v1/spam-classifier', { headers: wrong })).status).toBe(401);
  expect((await h.call('DELETE', '/v1/spam-classifier', { headers: wrong })).status).toBe(401);
});
