/**
 * Sieve at delivery through the real MX and submission (real sockets, the test DNS responder, the outbound worker
 * delivering to a remote MX on 127.0.0.1, IMAP through imapflow): fileinto with :create and flags, a missing
 * folder falling back to INBOX, vacation once per sender and never to lists or the null sender, redirect to a
 * local mailbox and to an external MX, discard, reject (550 alone, DSN among several), loops, runtime errors.
 */
import { createImapServer, type ImapServer } from '@mailyard/imap';
import { metrics } from '@mailyard/monitor';
import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { NO_MTA_STS } from '../src/outbound/mta-sts.js';
import { createOutboundWorker, type OutboundWorker } from '../src/outbound/worker.js';
import { createSubmissionServer, type SubmissionServer } from '../src/submission.js';
import { type Harness, HOSTED, message, PASSWORD, REMOTE, type RemoteMx } from './harness.js';
import { type MxFixture, startMxFixture } from './mx-fixture.js';
import { Wire } from './wire.js';

let fixture: MxFixture;
let h: Harness;
let mxPort: number;
let submission: SubmissionServer;
let submissionPort: number;
let imap: ImapServer;
let imapPort: number;
let remote: RemoteMx;
let worker: OutboundWorker;

const SENDER = 'sam@sender.test';

beforeAll(async () => {
  fixture = await startMxFixture({ allowInsecureAuth: true });
  ({ h, mxPort, remote } = fixture);
  // No sieve deps given: the MX, submission and worker read scripts and marks from the control store by default.
  const deps = h.deps();
  submission = createSubmissionServer(deps);
  submissionPort = (await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1')).implicitTls;
  imap = createImapServer({ config: h.config, logger: h.logger, control: h.control, mailstore: h.mailstore });
  imapPort = await imap.listen(0, '127.0.0.1');
  worker = createOutboundWorker({ ...deps, mtaSts: NO_MTA_STS, portOverride: remote.port, retryDelayMs: () => 0 });
  h.dns.table.mx.set('sender.test', [{ preference: 10, exchange: `mx.${REMOTE}` }]);
});

afterAll(async () => {
  await worker.stop();
  await imap.close();
  await submission.close(1000);
  await fixture.close();
});

beforeEach(() => {
  remote.received.length = 0;
});

afterEach(async () => {
  for (const alias of Object.values(h.aliases)) await h.control.setActiveSieveScript(alias.id, null);
});

/** Stores the script in the control store (as ManageSieve PUTSCRIPT does) and makes it the active one. */
async function setScript(alias: keyof Harness['aliases'], content: string): Promise<void> {
  const id = h.aliases[alias].id;
  await h.control.putSieveScript(id, 'test', content);
  await h.control.setActiveSieveScript(id, 'test');
}

async function sendToMx(to: string[], raw: Buffer, from = SENDER) {
  const transport = createTransport({
    host: '127.0.0.1',
    port: mxPort,
    secure: false,
    name: 'client.sender.test',
    tls: { rejectUnauthorized: false },
  });
  return transport.sendMail({ envelope: { from, to }, raw });
}

/** Subjects of the messages in a folder of an alias's mailbox. */
async function subjects(alias: keyof Harness['aliases'], folder = 'INBOX'): Promise<string[]> {
  const raws = await h.mailbox(h.aliases[alias], folder);
  return raws.map((raw) => /^Subject: (.*)$/m.exec(raw.toString('utf8'))?.[1]?.trim() ?? '');
}

/** Delivers everything due in the outbound queue to the remote MX; returns what it received. */
async function flushQueue() {
  while ((await worker.runOnce()) > 0) {
    // until nothing is due
  }
  return remote.received;
}

/** The value of one labelled series of a counter in this process's registry (the MX runs in the test process). */
async function counted(
  counter: { get(): Promise<{ values: Array<{ labels: object; value: number }> }> },
  label: string,
  value: string,
) {
  const series = (await counter.get()).values.find((v) => (v.labels as Record<string, unknown>)[label] === value);
  return series?.value ?? 0;
}

describe('fileinto and keep', () => {
  test('fileinto :create files into a new folder with its flags, and IMAP shows it there', async () => {
    await setScript(
      'alice',
      `require ["fileinto", "mailbox", "imap4flags"];
       if header :contains "subject" "sieve-list" { fileinto :create :flags ["\\\\Flagged", "$Lists"] "Lists/Sieve"; }`,
    );
    await sendToMx([`alice@${HOSTED}`], message({ from: SENDER, to: `alice@${HOSTED}`, subject: 'sieve-list one' }));
    await sendToMx([`alice@${HOSTED}`], message({ from: SENDER, to: `alice@${HOSTED}`, subject: 'plain two' }));
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user: `alice@${HOSTED}`, pass: PASSWORD },
      logger: false,
    });
    await client.connect();
    try {
      const folders = (await client.list()).map((f) => f.path);
      expect(folders).toContain('Lists/Sieve');
      const lock = await client.getMailboxLock('Lists/Sieve');
      try {
        const fetched = [];
        for await (const m of client.fetch('1:*', { envelope: true, flags: true })) fetched.push(m);
        expect(fetched.map((m) => m.envelope?.subject)).toEqual(['sieve-list one']);
        expect([...(fetched[0]?.flags ?? [])].sort()).toEqual(['$Lists', '\\Flagged']);
      } finally {
        lock.release();
      }
      const status = await client.status('INBOX', { messages: true });
      expect(status ? status.messages : null).toBe(1);
    } finally {
      await client.logout();
    }
  });

  test('fileinto a folder that does not exist, without :create, lands in INBOX (RFC 5490 §3.2)', async () => {
    await setScript('bob', `require "fileinto"; fileinto "No/Such/Folder";`);
    await sendToMx([`bob@${HOSTED}`], message({ from: SENDER, to: `bob@${HOSTED}`, subject: 'nowhere folder' }));
    expect(await subjects('bob')).toContain('nowhere folder');
    const session = await h.mailstore.open(h.aliases.bob.mailboxId ?? '', PASSWORD);
    try {
      expect(session.listFolders().map((f) => f.path)).not.toContain('No/Such/Folder');
    } finally {
      session.close();
    }
  });

  test('a message large enough to spill to disk (2 MiB) is filtered too, and stored whole', async () => {
    await setScript('bob', 'require ["fileinto", "body"]; if body :contains "needle-in-body" { fileinto "Archive"; }');
    const big = `${'y'.repeat(76)}\r\n`.repeat(27_000);
    const raw = message({
      from: SENDER,
      to: `bob@${HOSTED}`,
      subject: 'large filtered',
      body: `needle-in-body\r\n${big}`,
    });
    await sendToMx([`bob@${HOSTED}`], raw);
    const [stored] = (await h.mailbox(h.aliases.bob, 'Archive')).filter((r) => r.includes('large filtered'));
    expect(stored?.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(stored?.subarray(stored.length - raw.length).equals(raw)).toBe(true);
  });

  test('include :personal runs another script of the same user (RFC 6609); redirect :copy keeps a copy', async () => {
    const bob = h.aliases.bob.id;
    await h.control.putSieveScript(
      bob,
      'common',
      'require "fileinto"; if header :contains "subject" "inc-test" { fileinto "Archive"; }',
    );
    await setScript(
      'bob',
      `require ["include", "copy"]; include :personal "common"; redirect :copy "alice@${HOSTED}";`,
    );
    await sendToMx([`bob@${HOSTED}`], message({ from: SENDER, to: `bob@${HOSTED}`, subject: 'inc-test one' }));
    expect(await subjects('bob', 'Archive')).toContain('inc-test one');
    expect(await subjects('alice')).toContain('inc-test one');
    await h.control.deleteSieveScript(bob, 'common');
  });

  test('discard: 250 and nothing stored', async () => {
    await setScript('bob', 'if header :contains "subject" "junk-me" { discard; }');
    const discards = await counted(metrics.sieveActions, 'action', 'discard');
    const info = await sendToMx([`bob@${HOSTED}`], message({ from: SENDER, to: `bob@${HOSTED}`, subject: 'junk-me' }));
    expect(info.response).toMatch(/^250 /);
    expect(await subjects('bob')).not.toContain('junk-me');
    expect(await counted(metrics.sieveActions, 'action', 'discard')).toBe(discards + 1);
  });

  test('a script that fails at run time keeps the message in INBOX and logs why', async () => {
    await setScript('bob', 'require ["reject", "fileinto"]; fileinto "Archive"; reject "no";');
    const errors = await counted(metrics.sieveErrors, 'reason', 'runtime');
    await sendToMx([`bob@${HOSTED}`], message({ from: SENDER, to: `bob@${HOSTED}`, subject: 'runtime error' }));
    expect(await subjects('bob')).toContain('runtime error');
    expect(h.logs.some((l) => l.msg === 'sieve runtime error; message kept')).toBe(true);
    expect(await counted(metrics.sieveErrors, 'reason', 'runtime')).toBe(errors + 1);
  });
});

describe('reject', () => {
  test('a single recipient rejecting: 550 5.7.1 with the reason, nothing stored', async () => {
    await setScript(
      'bob',
      'require "reject"; if address :is "from" "sam@sender.test" { reject "Not from you, Sam."; }',
    );
    const wire = await Wire.open(mxPort);
    try {
      expect((await wire.reply()).code).toBe(220);
      await wire.command('EHLO client.sender.test');
      await wire.command(`MAIL FROM:<${SENDER}>`);
      expect((await wire.command(`RCPT TO:<bob@${HOSTED}>`)).code).toBe(250);
      expect((await wire.command('DATA')).code).toBe(354);
      wire.write(message({ from: SENDER, to: `bob@${HOSTED}`, subject: 'rejected one' }));
      const reply = await wire.command('.');
      expect(reply.code).toBe(550);
      expect(reply.text).toContain('5.7.1 Not from you, Sam.');
    } finally {
      wire.destroy();
    }
    expect(await subjects('bob')).not.toContain('rejected one');
  });

  test('one of two recipients rejecting: 250, the other gets it, the sender gets a DSN', async () => {
    await setScript('bob', 'require "ereject"; ereject "bob is not taking mail";');
    const raw = message({ from: SENDER, to: `alice@${HOSTED}, bob@${HOSTED}`, subject: 'half rejected' });
    const info = await sendToMx([`alice@${HOSTED}`, `bob@${HOSTED}`], raw);
    expect(info.response).toMatch(/^250 /);
    expect(await subjects('alice')).toContain('half rejected');
    expect(await subjects('bob')).not.toContain('half rejected');
    const [dsn] = await flushQueue();
    expect(dsn?.from).toBe('');
    expect(dsn?.to).toEqual([SENDER]);
    const text = dsn?.raw.toString('utf8') ?? '';
    expect(text).toContain('Content-Type: multipart/report; report-type=delivery-status');
    expect(text).toContain(`Final-Recipient: rfc822; bob@${HOSTED}`);
    expect(text).toContain('Status: 5.7.1');
    expect(text).toContain('bob is not taking mail');
  });
});

describe('redirect', () => {
  test('redirect reaches a second local mailbox and an external MX (SRS sender) through the outbound queue', async () => {
    await setScript('alice', `redirect "bob@${HOSTED}"; redirect "carol@${REMOTE}";`);
    await sendToMx([`alice@${HOSTED}`], message({ from: SENDER, to: `alice@${HOSTED}`, subject: 'redirect me' }));
    expect(await subjects('alice')).not.toContain('redirect me');
    const bobs = await h.mailbox(h.aliases.bob);
    const copy = bobs.find((raw) => raw.includes('redirect me'))?.toString('utf8') ?? '';
    expect(copy).toMatch(new RegExp(`^X-Sieve-Redirected-From: alice@${HOSTED}\\r\\n`));
    const [out] = await flushQueue();
    expect(out?.to).toEqual([`carol@${REMOTE}`]);
    expect(out?.from).toMatch(/^SRS0=[^=]{4}=[A-Z2-7]{2}=sender\.test=sam@hosted\.test$/);
    expect(out?.raw.toString('utf8')).toContain(`X-Sieve-Redirected-From: alice@${HOSTED}`);
  });

  test('two scripts redirecting to each other stop: the message is kept, not bounced around', async () => {
    await setScript('alice', `redirect "bob@${HOSTED}";`);
    await setScript('bob', `redirect "alice@${HOSTED}";`);
    await sendToMx([`alice@${HOSTED}`], message({ from: SENDER, to: `alice@${HOSTED}`, subject: 'ping pong' }));
    const total = [...(await subjects('alice')), ...(await subjects('bob'))].filter((s) => s === 'ping pong');
    expect(total).toHaveLength(1);
    expect(await flushQueue()).toHaveLength(0);
  });
});

describe('vacation', () => {
  const VACATION = 'require "vacation"; vacation :days 7 :subject "Away" "I am away until Monday.";';

  test('answers an external sender once within :days, with Auto-Submitted and In-Reply-To', async () => {
    await setScript('alice', VACATION);
    const first = message({ from: SENDER, to: `alice@${HOSTED}`, subject: 'are you there' });
    await sendToMx([`alice@${HOSTED}`], first);
    await sendToMx([`alice@${HOSTED}`], message({ from: SENDER, to: `alice@${HOSTED}`, subject: 'still there?' }));
    expect(await subjects('alice')).toEqual(expect.arrayContaining(['are you there', 'still there?']));
    const replies = await flushQueue();
    expect(replies).toHaveLength(1);
    const reply = replies[0];
    expect(reply?.from).toBe('');
    expect(reply?.to).toEqual([SENDER]);
    const text = reply?.raw.toString('utf8') ?? '';
    const originalId = /^Message-ID: (.*)$/m.exec(first.toString('utf8'))?.[1]?.trim() ?? 'none';
    expect(text).toMatch(/^DKIM-Signature: /);
    expect(text).toContain('Auto-Submitted: auto-replied');
    expect(text).toContain(`In-Reply-To: ${originalId}`);
    expect(text).toContain('Subject: Away');
    expect(text).toContain('I am away until Monday.');
  });

  test('never answers a list message, bulk mail or the null sender', async () => {
    await setScript('bob', VACATION);
    const to = `bob@${HOSTED}`;
    await sendToMx(
      [to],
      message({ from: 'list@sender.test', to, extra: 'List-Id: <news.sender.test>' }),
      'x@sender.test',
    );
    await sendToMx([to], message({ from: 'news@sender.test', to, extra: 'Precedence: bulk' }), 'y@sender.test');
    await sendToMx([to], message({ from: 'daemon@sender.test', to, subject: 'bounce' }), '');
    expect((await subjects('bob')).length).toBeGreaterThanOrEqual(3);
    expect(await flushQueue()).toHaveLength(0);
    const why = h.logs.filter((l) => l.msg === 'vacation not sent').map((l) => l.why);
    expect(why).toEqual(expect.arrayContaining(['mailing list message', 'Precedence: bulk', 'null sender']));
  });
});

describe('forged senders and duplicates', () => {
  test('vacation never answers a sender whose SPF fails (backscatter to a forged address)', async () => {
    h.dns.table.txt.set('forged.test', [['v=spf1 -all']]);
    await setScript('alice', 'require "vacation"; vacation :days 1 "Away.";');
    const to = `alice@${HOSTED}`;
    await sendToMx([to], message({ from: 'ceo@forged.test', to, subject: 'forged one' }), 'ceo@forged.test');
    expect(await subjects('alice')).toContain('forged one');
    expect(await flushQueue()).toHaveLength(0);
    expect(h.logs.some((l) => l.msg === 'vacation not sent' && l.why === 'sender failed SPF or DMARC')).toBe(true);
  });

  test('duplicate (RFC 7352): the second copy of a Message-ID is discarded', async () => {
    await setScript('bob', 'require "duplicate"; if duplicate { discard; stop; }');
    const raw = message({ from: SENDER, to: `bob@${HOSTED}`, subject: 'twice sent' });
    await sendToMx([`bob@${HOSTED}`], raw);
    await sendToMx([`bob@${HOSTED}`], raw);
    expect((await subjects('bob')).filter((s) => s === 'twice sent')).toHaveLength(1);
  });
});

describe('mail between local mailboxes', () => {
  const submit = (to: string[], raw: Buffer) =>
    createTransport({
      host: '127.0.0.1',
      port: submissionPort,
      secure: true,
      auth: { user: `alice@${HOSTED}`, pass: PASSWORD },
      tls: { rejectUnauthorized: false },
    }).sendMail({ envelope: { from: `alice@${HOSTED}`, to }, raw });

  test('submission to a local recipient runs that recipient’s script', async () => {
    await setScript('bob', 'require "fileinto"; if header :contains "subject" "from alice" { fileinto "Archive"; }');
    const raw = message({ from: `alice@${HOSTED}`, to: `bob@${HOSTED}`, subject: 'from alice, filed' });
    await submit([`bob@${HOSTED}`], raw);
    expect(await subjects('bob', 'Archive')).toContain('from alice, filed');
    expect(await subjects('bob')).not.toContain('from alice, filed');
  });

  test('a vacation reply to a local sender lands in the sender’s INBOX, signed, without the outbound queue', async () => {
    await setScript('bob', 'require "vacation"; vacation :days 3 :subject "Bob is out" "Back on Monday.";');
    await submit([`bob@${HOSTED}`], message({ from: `alice@${HOSTED}`, to: `bob@${HOSTED}`, subject: 'lunch?' }));
    const reply = (await h.mailbox(h.aliases.alice))
      .map((r) => r.toString('utf8'))
      .find((t) => t.includes('Bob is out'));
    expect(reply).toMatch(/^(?:.*\r\n)*DKIM-Signature: .*d=hosted\.test/);
    expect(reply).toContain('Auto-Submitted: auto-replied');
    expect(reply).toContain('Back on Monday.');
    expect(await flushQueue()).toHaveLength(0);
  });

  test('submission: a local reject is a 550 when it was the only recipient, else a DSN in the sender’s INBOX', async () => {
    await setScript('bob', 'require "reject"; reject "bob does not read mail from alice";');
    const alone = message({ from: `alice@${HOSTED}`, to: `bob@${HOSTED}`, subject: 'bob only' });
    await expect(submit([`bob@${HOSTED}`], alone)).rejects.toMatchObject({ responseCode: 550 });
    expect(await subjects('alice', 'Sent')).not.toContain('bob only');
    const both = message({ from: `alice@${HOSTED}`, to: `bob@${HOSTED}, carol@${REMOTE}`, subject: 'bob and carol' });
    await submit([`bob@${HOSTED}`, `carol@${REMOTE}`], both);
    expect(await subjects('bob')).not.toContain('bob and carol');
    expect(await subjects('alice', 'Sent')).toContain('bob and carol');
    const dsn = (await h.mailbox(h.aliases.alice))
      .map((r) => r.toString('utf8'))
      .find((t) => t.includes('bob and carol'));
    expect(dsn).toContain('Status: 5.7.1');
    expect(dsn).toContain('bob does not read mail from alice');
    expect((await flushQueue()).map((m) => m.to)).toEqual([[`carol@${REMOTE}`]]);
  });
});
