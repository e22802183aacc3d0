/**
 * Send-as on submission (issue 12 item 3): a mailbox sends as its own address and its +tag forms, or what its
 * alias's canSendAs grants, in verified domains of its own account; envelope, From and Sender are all checked.
 * Also: mail submitted to a domain that is not verified goes out by MX through the queue (item 2, SMTP side),
 * and commands pipelined after STARTTLS on submission are discarded (item 4).
 */
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSubmissionServer, type SubmissionServer } from '../src/submission.js';
import { dkimKey, type Harness, HOSTED, message, PASSWORD, startHarness } from './harness.js';
import { Wire } from './wire.js';

let h: Harness;
let submission: SubmissionServer;
let ports: { starttls: number; implicitTls: number };

const alice = `alice@${HOSTED}`;
const bob = `bob@${HOSTED}`;

beforeAll(async () => {
  h = await startHarness();
  submission = createSubmissionServer(h.deps());
  ports = await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1');
  const hosted = await h.control.findDomainByName(HOSTED);
  const owner = hosted?.accountId ?? '';
  const key = dkimKey('s2');
  await h.control.createDomain({
    accountId: owner,
    name: 'second.test',
    verificationToken: 't2',
    dkim: key,
    verified: true,
  });
  await h.control.createDomain({ accountId: owner, name: 'pending.test', verificationToken: 't3', dkim: key });
  const stranger = await h.control.createAccount({ email: 'stranger@other.test', password: 'stranger pw' });
  await h.control.createDomain({
    accountId: stranger.id,
    name: 'other.test',
    verificationToken: 't4',
    dkim: key,
    verified: true,
  });
});

afterAll(async () => {
  await submission.close(1000);
  await h.close();
});

function transport(user = alice) {
  return createTransport({
    host: '127.0.0.1',
    port: ports.implicitTls,
    secure: true,
    auth: { user, pass: PASSWORD },
    tls: { rejectUnauthorized: false },
  });
}

function send(opts: { envelope: string; from: string; extra?: string; user?: string; to?: string }) {
  return transport(opts.user).sendMail({
    envelope: { from: opts.envelope, to: [opts.to ?? bob] },
    raw: message({ from: opts.from, to: opts.to ?? bob, ...(opts.extra ? { extra: opts.extra } : {}) }),
  });
}

const refused = { response: expect.stringMatching(/^550 5\.7\.1 /) };
/** smtp-server already refuses some of these envelope addresses as bad syntax; refused either way. */
const refusedEnvelope = { response: expect.stringMatching(/^(550 5\.7\.1|501 5\.1\.7) /) };

async function grant(canSendAs: string[]): Promise<void> {
  const domain = await h.control.findDomainByName(HOSTED);
  await h.control.updateAlias(domain?.id ?? '', h.aliases.alice.id, { canSendAs });
}

describe('send-as', () => {
  test('own address and its +tag forms, envelope and From: accepted', async () => {
    await expect(send({ envelope: alice, from: `Alice <${alice}>` })).resolves.toMatchObject({ accepted: [bob] });
    await expect(
      send({ envelope: `alice+news@${HOSTED}`, from: `Alice+News@${HOSTED.toUpperCase()}` }),
    ).resolves.toBeTruthy();
  });

  test('another mailbox of the same domain, in the envelope or in From or Sender: 550 5.7.1', async () => {
    await expect(send({ envelope: bob, from: alice })).rejects.toMatchObject(refused);
    await expect(send({ envelope: alice, from: `Bob <${bob}>` })).rejects.toMatchObject(refused);
    await expect(send({ envelope: alice, from: alice, extra: `Sender: ${bob}` })).rejects.toMatchObject(refused);
    await expect(send({ envelope: alice, from: `${alice}, ${bob}` })).rejects.toMatchObject(refused);
    await expect(send({ envelope: alice, from: alice, extra: `Resent-From: ${bob}` })).rejects.toMatchObject(refused);
  });

  test('addresses that hide a foreign one behind our domain are refused', async () => {
    await expect(send({ envelope: alice, from: `ceo@bank.test@${HOSTED}` })).rejects.toMatchObject(refused);
    await expect(send({ envelope: alice, from: `"ceo@bank.test"@${HOSTED}` })).rejects.toMatchObject(refused);
    await expect(send({ envelope: alice, from: 'undisclosed-recipients:;' })).rejects.toMatchObject(refused);
    await expect(send({ envelope: `"ceo@bank.test"@${HOSTED}`, from: alice })).rejects.toMatchObject(refusedEnvelope);
    await expect(send({ envelope: `ceo@bank.test@${HOSTED}`, from: alice })).rejects.toMatchObject(refusedEnvelope);
  });

  test('a From hidden behind a bare CR is refused (554 5.6.0) and nothing is delivered', async () => {
    const before = (await h.mailbox(h.aliases.bob)).length;
    const raw = Buffer.from(`X-Note: x\rFrom: ${bob}\r\nFrom: ${alice}\r\nTo: ${bob}\r\nSubject: hidden\r\n\r\nhi\r\n`);
    await expect(transport().sendMail({ envelope: { from: alice, to: [bob] }, raw })).rejects.toMatchObject({
      response: expect.stringMatching(/^554 5\.6\.0 /),
    });
    expect((await h.mailbox(h.aliases.bob)).length).toBe(before);
  });

  test('canSendAs grants exact addresses and *@domain, in verified domains of the same account only', async () => {
    await grant([bob]);
    await expect(send({ envelope: bob, from: bob })).resolves.toBeTruthy();
    await expect(send({ envelope: alice, from: `carol@${HOSTED}` })).rejects.toMatchObject(refused);
    await grant([`*@${HOSTED}`, '*@second.test', '*@pending.test']);
    await expect(send({ envelope: `carol@${HOSTED}`, from: `Carol <carol@${HOSTED}>` })).resolves.toBeTruthy();
    await expect(send({ envelope: 'news@second.test', from: 'news@second.test' })).resolves.toBeTruthy();
    await expect(send({ envelope: `ceo@bank.test@${HOSTED}`, from: alice })).rejects.toMatchObject(refusedEnvelope);
    await expect(send({ envelope: alice, from: `ceo@bank.test@${HOSTED}` })).rejects.toMatchObject(refused);
    await expect(send({ envelope: 'x@pending.test', from: 'x@pending.test' })).rejects.toMatchObject(refused);
    await expect(grant(['*@other.test'])).rejects.toThrow(/not a domain of this account/);
    await grant([]);
    await expect(send({ envelope: bob, from: bob })).rejects.toMatchObject(refused);
  });

  test('a message sent as another domain of the account is DKIM-signed by that domain', async () => {
    await grant(['*@second.test']);
    await send({ envelope: alice, from: 'team@second.test' });
    const stored = ((await h.mailbox(h.aliases.bob)).at(-1) ?? Buffer.alloc(0)).toString();
    expect(stored).toMatch(/^DKIM-Signature: [\s\S]*?d=second\.test;/);
    await grant([]);
  });
});

describe('routing of submitted mail', () => {
  test('a recipient in a domain that exists here but is not verified goes to the outbound queue', async () => {
    const before = (await h.control.listRecent(50)).length;
    await send({ envelope: alice, from: alice, to: 'victim@pending.test' });
    const recent = await h.control.listRecent(50);
    expect(recent.length).toBe(before + 1);
    expect(recent[0]?.recipients).toEqual([{ address: 'victim@pending.test', status: 'pending', lastError: null }]);
  });
});

describe('STARTTLS on submission', () => {
  test('AUTH and MAIL pipelined after STARTTLS in plaintext are discarded, not run inside TLS', async () => {
    const wire = await Wire.open(ports.starttls);
    expect((await wire.reply()).code).toBe(220);
    await wire.command('EHLO client.test');
    const auth = Buffer.from(`\0${alice}\0${PASSWORD}`).toString('base64');
    wire.write(`STARTTLS\r\nAUTH PLAIN ${auth}\r\nMAIL FROM:<${alice}>\r\n`);
    expect((await wire.reply()).code).toBe(220);
    await wire.startTls();
    expect((await wire.command('EHLO client.test')).code).toBe(250);
    expect((await wire.command(`MAIL FROM:<${alice}>`)).lines[0]).toMatch(/^530 /);
    expect((await wire.command(`AUTH PLAIN ${auth}`)).lines[0]).toMatch(/^235 /);
    wire.destroy();
  });
});
