/**
 * Mailbox quotas of local recipients on SMTP submission, after DATA with the signed message's real size, as at the
 * MX: the DATA refusal (452 4.2.2, or 552 5.2.2 past the whole quota) when no recipient is left, nothing stored and
 * no Sent copy; otherwise the others get the message and the sender a DSN (5.2.2) for the recipient left out.
 * Through nodemailer over implicit TLS, AUTH as alice.
 */
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSubmissionServer, type SubmissionServer } from '../src/submission.js';
import { type Harness, HOSTED, message, PASSWORD, REMOTE, startHarness } from './harness.js';

let h: Harness;
let submission: SubmissionServer;
let port: number;
const alice = `alice@${HOSTED}`;
const bob = `bob@${HOSTED}`;
const both = `both@${HOSTED}`;

beforeAll(async () => {
  h = await startHarness();
  submission = createSubmissionServer(h.deps());
  port = (await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1')).implicitTls;
});

afterAll(async () => {
  await submission.close(1000);
  await h.close();
});

/** Submits as alice without SIZE= (nodemailer declares none for raw), so RCPT TO passes on usage alone. */
function submit(to: string[], raw: Buffer) {
  const transport = createTransport({
    host: '127.0.0.1',
    port,
    secure: true,
    auth: { user: alice, pass: PASSWORD },
    tls: { rejectUnauthorized: false },
  });
  return transport.sendMail({ envelope: { from: alice, to }, raw });
}

const body = (n: number, c: string) => `${c.repeat(70)}\r\n`.repeat(Math.ceil(n / 72));

test('no local recipient left: the DATA reply is the refusal, nothing is stored, not even the Sent copy', async () => {
  await h.control.setAliasQuota(h.aliases.bob.id, { maxQuota: 4000 });
  const sentBefore = (await h.mailbox(h.aliases.alice, 'Sent')).length;
  // 3 KB passes RCPT TO (bob's mailbox is empty), then the signed message no longer fits 4 KB with the next one.
  const first = await submit([bob], message({ from: alice, to: bob, body: body(3000, 'a') }));
  expect(first.accepted).toEqual([bob]);
  await expect(submit([bob], message({ from: alice, to: bob, body: body(2500, 'b') }))).rejects.toMatchObject({
    response: expect.stringMatching(/^452 4\.2\.2 /),
  });
  // Larger than bob's whole quota: no deletion can make it fit.
  await h.control.setAliasQuota(h.aliases.bob.id, { maxQuota: 8000 });
  await expect(submit([bob], message({ from: alice, to: bob, body: body(9000, 'c') }))).rejects.toMatchObject({
    response: expect.stringMatching(/^552 5\.2\.2 /),
  });
  expect(await h.mailbox(h.aliases.bob)).toHaveLength(1);
  expect(await h.mailbox(h.aliases.alice, 'Sent')).toHaveLength(sentBefore + 1);
});

test('others delivered: the recipient that does not fit is left out and the sender gets a 5.2.2 DSN', async () => {
  // Opening bob's mailbox above drained his spool, and this harness's mail store reports no usage back: a quota
  // below the message's size leaves him out whatever he holds.
  await h.control.setAliasQuota(h.aliases.bob.id, { maxQuota: 3000 });
  const inboxBefore = (await h.mailbox(h.aliases.alice)).length;
  const queuedBefore = (await h.control.listRecent(50)).length;
  const subject = 'to bob and the remote';
  const raw = message({ from: alice, to: bob, subject, body: body(4000, 'd') });
  const info = await submit([bob, `zed@${REMOTE}`], raw);
  expect(info.response).toMatch(/^250 /);
  expect(info.accepted).toEqual([bob, `zed@${REMOTE}`]);
  // bob keeps the one message of the first test; the remote copy is queued (one item, no DSN queued: alice is local).
  expect(await h.mailbox(h.aliases.bob)).toHaveLength(1);
  const queued = await h.control.listRecent(50);
  expect(queued.length).toBe(queuedBefore + 1);
  expect(queued[0]?.recipients.map((r) => r.address)).toEqual([`zed@${REMOTE}`]);
  // The DSN lands in alice's own mailbox (a hosted sender), naming bob with 5.2.2.
  const inbox = await h.mailbox(h.aliases.alice);
  expect(inbox).toHaveLength(inboxBefore + 1);
  const dsn = inbox.at(-1)?.toString('latin1') ?? '';
  expect(dsn).toMatch(/Final-Recipient: rfc822; ?bob@hosted\.test/i);
  expect(dsn).toMatch(/Status: 5\.2\.2/);
  expect(dsn).toContain(subject);
});

test('a recipient that also forwards is never refused for its mailbox quota', async () => {
  await h.control.setAliasQuota(h.aliases.both.id, { maxQuota: 1000 });
  const info = await submit([both], message({ from: alice, to: both, body: body(3000, 'e') }));
  expect(info.accepted).toEqual([both]);
  expect(await h.mailbox(h.aliases.both)).toHaveLength(1);
});
