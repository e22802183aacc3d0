import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import { startDnsServer, type TempDir, tempDir } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../src/cli-commands.js';

describe('mailyard CLI', () => {
  let dir: TempDir;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await tempDir('mailyard-cli-');
    dns = await startDnsServer();
    env = {
      MAILYARD_DATA_DIR: dir.path,
      MAILYARD_HOSTNAME: 'mx.cli.test',
      MAILYARD_MAILBOX_KDF_COST: '1024',
      MAILYARD_DNS_RESOLVER: dns.address,
    };
  });
  afterAll(async () => {
    await dns.close();
    await dir.cleanup();
  });

  async function cli(...argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, { env, out: (line) => lines.push(line) });
    return { code, text: lines.join('\n') };
  }

  test('first steps: account, domain, mailbox, DNS', async () => {
    const account = await cli('create-account', 'Me@Example.com');
    expect(account.code).toBe(0);
    expect(account.text).toContain('account me@example.com (administrator)');
    const token = /API token \(shown once\): (\S+)/.exec(account.text)?.[1] ?? '';

    const domain = await cli('add-domain', 'bücher.example', '--account', 'me@example.com');
    expect(domain.code).toBe(0);
    expect(domain.text).toContain('domain bücher.example (xn--bcher-kva.example) added');
    expect(domain.text).toContain('xn--bcher-kva.example.\tMX\t10 mx.cli.test.');
    expect(domain.text).toMatch(/_domainkey\.xn--bcher-kva\.example\.\tTXT\t"v=DKIM1; k=rsa; p=/);

    const mailbox = await cli('add-mailbox', 'post@bücher.example');
    expect(mailbox.code).toBe(0);
    expect(mailbox.text).toContain('login: post@xn--bcher-kva.example');
    const password = /password \(shown once\): (\S+)/.exec(mailbox.text)?.[1] ?? '';
    expect(mailbox.text).toMatch(/recovery key/);

    dns.table.mx.set('xn--bcher-kva.example', [{ preference: 10, exchange: 'mx.cli.test' }]);
    const check = await cli('dns', 'bücher.example', '--check');
    expect(check.code).toBe(0);
    expect(check.text).toMatch(/^OK {6}xn--bcher-kva\.example\.\tMX/m);
    expect(check.text).toMatch(/^MISSING _dmarc\.xn--bcher-kva\.example\./m);

    const { masterKey, paths } = await ensureRuntimeFiles(loadConfig({ env }));
    const control = new SqliteControlStore({ dataDir: paths.root, masterKey });
    const mailstore = new Mailstore({ dataDir: paths.root, kdf: { N: 1024 } });
    try {
      expect((await control.authenticateToken(token))?.account.email).toBe('me@example.com');
      const found = await control.verifyMailboxPassword('post@bücher.example', password);
      expect(found?.alias.mailboxId).toBeTruthy();
      (await mailstore.open(found?.alias.mailboxId ?? '', password)).close();
    } finally {
      await mailstore.close();
      await control.close();
    }
  });

  test('a domain receives mail once verified: by its TXT record (dns --check) or by the operator', async () => {
    await cli('create-account', 'owner@example.com');
    const plain = await cli('add-domain', 'plain.example', '--account', 'owner@example.com');
    expect(plain.text).toMatch(/^verified: no; it receives mail once its verification TXT record is found/m);
    const token = /"(mailyard-verification=[^"]+)"/.exec(plain.text)?.[1] ?? '';
    dns.table.txt.set('plain.example', [[token]]);
    expect((await cli('dns', 'plain.example', '--check')).text).toMatch(/^verified: yes \(its TXT record was found\)/m);

    const operator = await cli('add-domain', 'operator.example', '--account', 'owner@example.com', '--verified');
    expect(operator.text).toMatch(/^verified: yes \(marked by an administrator\)/m);
    const revoked = await cli('verify-domain', 'operator.example', '--revoke');
    expect(revoked).toMatchObject({ code: 0, text: expect.stringMatching(/operator\.example: verified: no/) });
    expect((await cli('verify-domain', 'operator.example')).text).toMatch(/marked by an administrator/);
    expect((await cli('list-domains')).text).toContain('operator.example\towner@example.com\tverified (admin)');
    expect((await cli('list-domains')).text).toContain('plain.example\towner@example.com\tverified (dns)');

    const claimed = await cli('add-domain', 'sub.plain.example', '--account', 'me@example.com');
    expect(claimed.code).toBe(1);
    expect(claimed.text).toMatch(/another account holds it \(plain\.example, a parent domain\)/);
    expect((await cli()).text).toMatch(/--verified\]/);
  });

  test('usage and errors', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('frobnicate')).text).toContain('Usage: mailyard');
    const noAccount = await cli('add-domain', 'x.example');
    expect(noAccount).toMatchObject({ code: 2, text: 'error: name the owner with --account <email>' });
    const unknown = await cli('add-mailbox', 'a@unknown.example');
    expect(unknown).toMatchObject({ code: 2, text: 'error: unknown domain: unknown.example' });
    const invalid = await cli('add-domain', 'bad_name', '--account', 'me@example.com');
    expect(invalid.code).toBe(1);
    expect(invalid.text).toMatch(/^error: name: invalid domain name/);
  });
});
