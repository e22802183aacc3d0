/**
 * One set of sending limits for SMTP submission and POST /v1/emails: a real submission server (nodemailer over
 * STARTTLS with AUTH) and the API, each with its own embedded coordination over the one data directory, as the
 * submission and api processes run, count in the machine's shared counters. Messages sent over SMTP use up the
 * daily limit the API then hits, GET /v1/emails/limit shows both paths' messages, and once the limit is reached
 * both paths refuse (429 and 451 4.7.0).
 */
import { createSelfSignedPair } from '@mailyard/config';
import { EmbeddedCoordination } from '@mailyard/coordination';
import type { RateLimitStore } from '@mailyard/limits';
import { createSubmissionServer, type SubmissionServer } from '@mailyard/smtp';
import { captureLog } from '@mailyard/testkit';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const DAILY = 5;
const OVER_SMTP = 3;
const ME = 'me@limits.example';
const READER = 'reader@limits.example';

let h: Harness;
let token: string;
let password: string;
let submission: SubmissionServer;
let port: number;
const coordinations: EmbeddedCoordination[] = [];

function coordination(dataDir: string): EmbeddedCoordination {
  const made = new EmbeddedCoordination({ dataDir });
  coordinations.push(made);
  return made;
}

const mailboxAuth = () => ({ authorization: `Basic ${Buffer.from(`${ME}:${password}`).toString('base64')}` });

function sendOverSmtp(text: string) {
  const transport = createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: ME, pass: password },
  });
  return transport.sendMail({ from: ME, to: READER, subject: 'over SMTP', text }).finally(() => transport.close());
}

beforeAll(async () => {
  // The api process's coordination needs the data dir the harness makes, and the harness makes the sender: the
  // sender counts through this forwarder into the coordination opened right after.
  let apiCounters: RateLimitStore | undefined;
  const forwarder: RateLimitStore = {
    increment: (key, windowMs, by) => {
      if (!apiCounters) throw new Error('the api coordination is not open yet');
      return apiCounters.increment(key, windowMs, by);
    },
  };
  h = await startHarness({
    signupOpen: true,
    smtp: { dailySendLimit: DAILY },
    sender: { sendingLimitStore: forwarder },
  });
  apiCounters = coordination(h.config.dataDir).sharedRateLimits;
  token = await h.signUp('owner@limits.example');
  const domain = await h.call('POST', '/v1/domains', { token, json: { name: 'limits.example', verified: true } });
  expect(domain.status).toBe(201);
  expect(domain.body.verified_at).not.toBeNull();
  for (const name of ['me', 'reader']) {
    const made = await h.call('POST', '/v1/domains/limits.example/aliases', { token, json: { name, has_imap: true } });
    expect(made.status).toBe(201);
  }
  // A mailbox exists once its alias has a password: the sender's to log in, the reader's to receive.
  const issue = (name: string) =>
    h.call('POST', `/v1/domains/limits.example/aliases/${name}/generate-password`, { token, json: {} });
  password = (await issue('me')).body.password;
  await issue('reader');
  submission = createSubmissionServer({
    config: h.config,
    logger: captureLog().logger,
    control: h.control,
    mailstore: h.mailstore,
    masterKey: h.masterKey,
    tls: createSelfSignedPair('mx.limits.example'),
    sendingLimitStore: coordination(h.config.dataDir).sharedRateLimits,
  });
  port = (await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1')).starttls;
});

afterAll(async () => {
  await submission?.close();
  for (const made of coordinations) await made.close();
  expect(h.errors).toEqual([]);
  await h.close();
});

test('messages over SMTP submission and over the API count against one daily limit', async () => {
  for (let i = 0; i < OVER_SMTP; i++) await sendOverSmtp(`smtp ${i}`);

  const counted = await h.call('GET', '/v1/emails/limit', { headers: mailboxAuth() });
  expect(counted.status).toBe(200);
  expect(counted.body).toMatchObject({
    limit: DAILY,
    domains: [{ domain: 'limits.example', count: OVER_SMTP, remaining: DAILY - OVER_SMTP }],
    sender: { address: ME, count: OVER_SMTP, remaining: DAILY - OVER_SMTP, hourly_count: OVER_SMTP },
  });

  const send = () =>
    h.call('POST', '/v1/emails', { headers: mailboxAuth(), json: { from: ME, to: READER, text: 'over HTTP' } });
  for (let i = OVER_SMTP; i < DAILY; i++) expect((await send()).status).toBe(201);
  const refused = await send();
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

  // The refused attempt counts too, as on SMTP: a client that keeps trying stays limited.
  const used = await h.call('GET', '/v1/emails/limit', { token });
  expect(used.body).toMatchObject({ domains: [{ domain: 'limits.example', count: DAILY + 1, remaining: 0 }] });

  // And SMTP submission, in its own process's coordination, sees the API's messages.
  await expect(sendOverSmtp('one too many')).rejects.toMatchObject({
    response: expect.stringMatching(/^451 4\.7\.0 Daily sending limit/),
  });
});
