/**
 * How the spam verdict and Sieve combine at the MX (real sockets, nodemailer as the client, the test DNS
 * responder): a junk verdict files the implicit keep in Junk; a script's explicit fileinto wins; a script sees the
 * verdict as X-Spam-* headers and can act on it; a Sieve reject still refuses. Also: a message for several domains
 * where one domain blocks the sender is delivered to the others, and the blocking recipient gets it in Junk.
 */
import { createTransport } from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { type Harness, HOSTED, message, startHarness } from './harness.js';

let h: Harness;
let mx: SmtpListener;
let mxPort: number;
/** A sender whose DMARC asks for quarantine and whose SPF does not allow 127.0.0.1: its mail is junk. */
const SUSPECT = 'billing@quarantine.test';

beforeAll(async () => {
  h = await startHarness();
  mx = createMxServer(h.deps());
  mxPort = await mx.listen(0, '127.0.0.1');
  h.dns.table.txt.set('quarantine.test', [['v=spf1 ip4:192.0.2.1 -all']]);
  h.dns.table.txt.set('_dmarc.quarantine.test', [['v=DMARC1; p=quarantine']]);
  h.dns.table.txt.set('friend.test', [['v=spf1 ip4:127.0.0.1 -all']]);
});

afterAll(async () => {
  await mx.close(1000);
  await h.close();
});

afterEach(async () => {
  for (const alias of Object.values(h.aliases)) await h.control.setActiveSieveScript(alias.id, null);
});

async function setScript(alias: keyof Harness['aliases'], content: string): Promise<void> {
  const id = h.aliases[alias].id;
  await h.control.putSieveScript(id, 'test', content);
  await h.control.setActiveSieveScript(id, 'test');
}

function send(to: string[], raw: Buffer, from = SUSPECT) {
  const transport = createTransport({
    host: '127.0.0.1',
    port: mxPort,
    secure: false,
    name: 'client.sender.test',
    tls: { rejectUnauthorized: false },
  });
  return transport.sendMail({ envelope: { from, to }, raw });
}

async function subjects(alias: keyof Harness['aliases'], folder: string): Promise<string[]> {
  const raws = await h.mailbox(h.aliases[alias], folder);
  return raws.map((raw) => /^Subject: (.*)$/m.exec(raw.toString('utf8'))?.[1]?.trim() ?? '');
}

describe('the spam verdict and Sieve', () => {
  test('without a script, a junk verdict files the message in Junk', async () => {
    await send([`alice@${HOSTED}`], message({ from: SUSPECT, to: `alice@${HOSTED}`, subject: 'no script' }));
    expect(await subjects('alice', 'Junk')).toContain('no script');
    expect(await subjects('alice', 'INBOX')).not.toContain('no script');
  });

  test("a script's fileinto wins over Junk; its implicit keep goes to Junk", async () => {
    await setScript(
      'alice',
      'require ["fileinto", "mailbox"];\nif header :contains "subject" "invoice" { fileinto :create "Billing"; }\n',
    );
    await send([`alice@${HOSTED}`], message({ from: SUSPECT, to: `alice@${HOSTED}`, subject: 'invoice 42' }));
    await send([`alice@${HOSTED}`], message({ from: SUSPECT, to: `alice@${HOSTED}`, subject: 'kept by script' }));
    expect(await subjects('alice', 'Billing')).toEqual(['invoice 42']);
    expect(await subjects('alice', 'Junk')).toContain('kept by script');
  });

  test('a script sees the verdict as X-Spam-* headers and can act on it', async () => {
    await setScript(
      'bob',
      'require ["fileinto", "mailbox"];\nif header :is "X-Spam-Flag" "YES" { fileinto :create "Suspicious"; }\n',
    );
    await send([`bob@${HOSTED}`], message({ from: SUSPECT, to: `bob@${HOSTED}`, subject: 'flagged' }));
    const clean = message({
      from: 'ann@friend.test',
      to: `bob@${HOSTED}`,
      subject: 'clean',
      extra: 'X-Spam-Flag: YES',
    });
    await send([`bob@${HOSTED}`], clean, 'ann@friend.test');
    expect(await subjects('bob', 'Suspicious')).toEqual(['flagged']);
    // The sender's own X-Spam-Flag was removed before the script ran: the clean message stays in INBOX.
    expect(await subjects('bob', 'INBOX')).toContain('clean');
  });

  test('a Sieve reject still refuses a junk message with 550', async () => {
    await setScript('alice', 'require "reject";\nreject "not from you";\n');
    const raw = message({ from: SUSPECT, to: `alice@${HOSTED}`, subject: 'rejected' });
    await expect(send([`alice@${HOSTED}`], raw)).rejects.toMatchObject({ responseCode: 550 });
  });
});

describe('recipients of several domains', () => {
  test("one domain's block list: the others get the message, the blocking recipient gets it in Junk", async () => {
    const account = await h.control.createAccount({ email: 'owner@second.test', password: 'owner-password-2' });
    const second = await h.control.createDomain({
      accountId: account.id,
      name: 'second.test',
      verificationToken: 'token2',
      dkim: h.hostedKey,
      verified: true,
    });
    await h.control.createAlias(second.id, { name: 'carl', recipients: [`alice@${HOSTED}`] });
    const hosted = await h.control.findDomainByName(HOSTED);
    await h.control.updateSpamSettings(hosted?.id ?? '', { block: ['friend.test'] });
    try {
      // bob@hosted.test blocks friend.test; carl@second.test (a forwarding alias) does not.
      const alone = message({ from: 'ann@friend.test', to: `bob@${HOSTED}`, subject: 'blocked alone' });
      await expect(send([`bob@${HOSTED}`], alone, 'ann@friend.test')).rejects.toMatchObject({ responseCode: 550 });
      const both = message({ from: 'ann@friend.test', to: `bob@${HOSTED}`, subject: 'two domains' });
      await send([`bob@${HOSTED}`, 'carl@second.test'], both, 'ann@friend.test');
      expect(await subjects('bob', 'Junk')).toContain('two domains');
      expect(await subjects('bob', 'INBOX')).not.toContain('two domains');
    } finally {
      await h.control.updateSpamSettings(hosted?.id ?? '', { block: [] });
    }
  });

  test("two domains with different thresholds in one transaction: each copy carries its own domain's verdict", async () => {
    const account = await h.control.createAccount({ email: 'owner@third.test', password: 'owner-password-3' });
    const third = await h.control.createDomain({
      accountId: account.id,
      name: 'third.test',
      verificationToken: 'token3',
      dkim: h.hostedKey,
      verified: true,
    });
    const dora = await h.control.createAlias(third.id, { name: 'dora' });
    await h.mailstore.createMailbox('dora-box', 'dora-password');
    await h.control.setMailboxCredential(dora.id, 'dora-box', 'dora-password');
    const hosted = await h.control.findDomainByName(HOSTED);
    await h.control.updateSpamSettings(hosted?.id ?? '', { junkScore: 50, rejectScore: 100 });
    await h.control.updateSpamSettings(third.id, { junkScore: 0, rejectScore: 100 });
    // Both decisions start from the same score. bob's script would file a flagged copy in Flagged: finding his
    // copy in INBOX shows that Sieve saw his own fields, not dora's.
    await setScript(
      'bob',
      'require ["fileinto", "mailbox"];\nif header :is "X-Spam-Flag" "YES" { fileinto :create "Flagged"; }\n',
    );
    try {
      const raw = message({ from: 'ann@friend.test', to: `bob@${HOSTED}`, subject: 'per domain' });
      await send([`bob@${HOSTED}`, 'dora@third.test'], raw, 'ann@friend.test');
      const [bobs] = await h.mailbox(h.aliases.bob, 'INBOX').then((all) => all.filter((m) => m.includes('per domain')));
      expect(bobs?.toString()).toMatch(/^X-Spam-Status: No, score=-?[\d.]+ required=50\.0 /m);
      expect(bobs?.toString()).not.toMatch(/^X-Spam-Flag:/m);
      const session = await h.mailstore.open('dora-box', 'dora-password');
      try {
        const junk = session.listMessages('Junk').map((m) => session.getRaw('Junk', m.uid)?.toString() ?? '');
        const doras = junk.find((m) => m.includes('per domain'));
        expect(doras).toMatch(/^X-Spam-Flag: YES$/m);
        expect(doras).toMatch(/^X-Spam-Status: Yes, score=-?[\d.]+ required=0\.0 /m);
        expect(doras?.match(/^X-Spam-Status:/gm)).toHaveLength(1);
      } finally {
        session.close();
      }
    } finally {
      await h.control.updateSpamSettings(hosted?.id ?? '', { junkScore: null, rejectScore: null });
    }
  });
});
