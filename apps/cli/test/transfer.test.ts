/**
 * `mailyard export` / `mailyard import` as separate processes next to a running IMAP server over the same data dir,
 * with real tools on the other side: Dovecot's doveadm writes a Maildir (folders, flags, a keyword file) that we
 * import while an IMAP session idles on INBOX, and Debian's mb2md reads the mbox we export.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { createImapServer, type ImapServer } from '@mailyard/imap';
import { Mailstore } from '@mailyard/mailstore';
import { captureLog, corpusMessages, requireTool, type TempDir, tempDir, waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PASSWORD = 'import export password';
const haveDoveadm = requireTool('doveadm');
const haveMb2md = requireTool('mb2md');

/** The CLI from source in a child process (as the installed command runs next to the server). */
function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const tsx = pathToFileURL(join(repoRoot, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', tsx, join(repoRoot, 'apps/cli/src/cli.ts'), ...args],
    { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

/** A raw IMAP connection: enough to LOGIN, SELECT and IDLE and watch for untagged responses. */
async function imapIdle(port: number, user: string, password: string): Promise<{ text: () => string; socket: Socket }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  await waitFor(() => text.includes('* OK'));
  socket.write(`a LOGIN "${user}" "${password}"\r\n`);
  await waitFor(() => /^a OK/m.test(text));
  socket.write('b SELECT INBOX\r\n');
  await waitFor(() => /^b OK/m.test(text));
  socket.write('c IDLE\r\n');
  await waitFor(() => text.includes('+ idling') || /^\+ /m.test(text));
  return { text: () => text, socket };
}

describe('mailyard export and import with real tools, next to a running IMAP server', () => {
  let dir: TempDir;
  let env: Record<string, string>;
  let control: SqliteControlStore;
  let mailstore: Mailstore;
  let server: ImapServer;
  let port: number;
  let address: string;
  let mailboxId: string;
  let domainId: string;
  const corpus = corpusMessages().slice(0, 12);

  beforeAll(async () => {
    dir = await tempDir('mailyard-cli-transfer-');
    await chmod(dir.path, 0o755);
    env = {
      MAILYARD_DATA_DIR: join(dir.path, 'data'),
      MAILYARD_HOSTNAME: 'mx.transfer.test',
      MAILYARD_MAILBOX_KDF_COST: '1024',
      MAILYARD_MAILBOX_PASSWORD: PASSWORD,
    };
    const config = loadConfig({ env: { ...env }, overrides: { allowInsecureAuth: true } });
    const runtime = await ensureRuntimeFiles(config);
    control = new SqliteControlStore({
      dataDir: config.dataDir,
      masterKey: runtime.masterKey,
      scryptCost: { N: 1024, r: 8, p: 1 },
    });
    mailstore = new Mailstore({ dataDir: config.dataDir, kdf: { N: 1024 }, notifyPollMs: 50 });
    const account = await control.createAccount({ email: 'owner@transfer.test', password: PASSWORD });
    const domain = await control.createDomain({
      accountId: account.id,
      name: 'transfer.test',
      verificationToken: 'token',
      dkim: { selector: 'test', publicKey: 'AAAA', privateKeyPem: 'unused' },
      verified: true,
    });
    domainId = domain.id;
    const alias = await control.createAlias(domain.id, { name: 'mover', hasImap: true });
    mailboxId = randomBytes(8).toString('hex');
    await mailstore.createMailbox(mailboxId, PASSWORD);
    await control.setMailboxCredential(alias.id, mailboxId, PASSWORD);
    address = 'mover@transfer.test';
    const { logger } = captureLog({ level: 'warn' });
    server = createImapServer({ config, logger, control, mailstore, tls: runtime.tls, protocol: {} });
    port = await server.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await server?.close();
    await mailstore?.close();
    await control?.close();
    await dir?.cleanup();
  });

  test.skipIf(!haveDoveadm || corpus.length === 0)(
    'a Maildir written by doveadm is imported; an idling IMAP session sees it; a re-run skips every message',
    async () => {
      // Dovecot refuses to access mail as root: its files then belong to nobody.
      const uid = process.getuid?.() === 0 ? 65534 : (process.getuid?.() ?? 65534);
      const gid = process.getuid?.() === 0 ? 65534 : (process.getgid?.() ?? 65534);
      const dove = join(dir.path, 'dovecot');
      const home = join(dove, 'home');
      await mkdir(join(dove, 'run'), { recursive: true });
      await mkdir(join(dove, 'state'), { recursive: true });
      await mkdir(home, { recursive: true });
      if (process.getuid?.() === 0) await chown(home, uid, gid);
      const conf = join(dove, 'dovecot.conf');
      await writeFile(
        conf,
        [
          `mail_location = maildir:${home}/Maildir`,
          `base_dir = ${dove}/run`,
          `state_dir = ${dove}/state`,
          `log_path = ${dove}/log`,
          `mail_uid = ${uid}`,
          `mail_gid = ${gid}`,
          'first_valid_uid = 0',
          'first_valid_gid = 0',
          `userdb {\n  driver = static\n  args = uid=${uid} gid=${gid} home=${home}\n}`,
          'passdb {\n  driver = static\n  args = password=unused\n}',
          'namespace inbox {\n  inbox = yes\n  separator = /\n}',
          '',
        ].join('\n'),
      );
      const doveEnv = { ...process.env, USER: 'mover', HOME: home };
      const doveadm = (args: string[], input?: Buffer) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('doveadm', ['-c', conf, ...args], { env: doveEnv, stdio: ['pipe', 'ignore', 'pipe'] });
          let err = '';
          child.stderr.on('data', (d: Buffer) => {
            err += d.toString();
          });
          child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`doveadm ${args[0]}: ${err}`))));
          child.stdin.end(input);
        });
      await doveadm(['mailbox', 'create', 'Archive/2024']);
      const inbox = corpus.slice(0, 8);
      const archived = corpus.slice(8);
      for (const file of inbox) await doveadm(['save', '-m', 'INBOX'], await readFile(file));
      for (const file of archived) await doveadm(['save', '-m', 'Archive/2024'], await readFile(file));
      await doveadm(['flags', 'add', '\\Seen $Work', 'mailbox', 'INBOX', 'uid', '2']);
      await doveadm(['flags', 'add', '\\Flagged \\Answered', 'mailbox', 'Archive/2024', 'uid', '1']);
      const maildir = join(home, 'Maildir');
      expect(await readFile(join(maildir, 'dovecot-keywords'), 'utf8')).toContain('$Work');

      const idle = await imapIdle(port, address, PASSWORD);
      const imported = await cli(env, 'import', address, maildir);
      expect(imported.out).toContain(`imported ${corpus.length} messages`);
      expect(imported.out).toContain('folders created: Archive/2024');
      expect(imported.code).toBe(0);
      // The idling session of the running server hears of the new mail through the notifier.
      await waitFor(() => new RegExp(`^\\* ${inbox.length} EXISTS`, 'm').test(idle.text()), 10_000);
      idle.socket.destroy();

      // Dovecot stores Unix line endings; the import gives them back their CRLF, so the corpus bytes return.
      const session = await mailstore.open(mailboxId, PASSWORD);
      try {
        const listed = session.listMessages('INBOX');
        expect(listed.length).toBe(inbox.length);
        const bytes = listed.map((m) => session.getRaw('INBOX', m.uid)?.toString('base64')).sort();
        const files = (await Promise.all(inbox.map((f) => readFile(f)))).map((b) => b.toString('base64')).sort();
        expect(bytes).toEqual(files);
        expect(listed.filter((m) => m.flags.includes('$Work')).map((m) => [...m.flags].sort())).toEqual([
          ['$Work', '\\Seen'],
        ]);
        const archive = session.listMessages('Archive/2024');
        expect(archive.length).toBe(archived.length);
        expect(archive.filter((m) => m.flags.includes('\\Flagged')).map((m) => [...m.flags].sort())).toEqual([
          ['\\Answered', '\\Flagged'],
        ]);
      } finally {
        session.close();
      }

      const again = await cli(env, 'import', address, maildir);
      expect(again.code).toBe(0);
      expect(again.out).toContain('imported 0 messages');
      expect(again.out).toContain(`skipped ${corpus.length} duplicates`);
    },
  );

  test.skipIf(!haveMb2md || corpus.length === 0)('mb2md reads our mbox: the messages and their flags', async () => {
    const session = await mailstore.open(mailboxId, PASSWORD);
    const expected = new Map<string, string[]>();
    try {
      session.createFolder('Mb2md');
      let i = 0;
      for (const file of corpus) {
        const flags = [[], ['\\Seen'], ['\\Seen', '\\Answered', '\\Flagged'], ['\\Deleted']][i % 4] as string[];
        const raw = await readFile(file);
        await session.append('Mb2md', raw, { flags });
        // mb2md writes Unix line endings; the blank line that ends an mbox entry (after a line ending we add to a
        // message without one) stays in its file.
        const entry = `${raw.toString('latin1')}${raw[raw.length - 1] === 10 ? '\n' : '\n\n'}`;
        expected.set(entry.replace(/\r\n/g, '\n'), flags);
        i += 1;
      }
    } finally {
      session.close();
    }
    const mbox = join(dir.path, 'export.mbox');
    const exported = await cli(env, 'export', address, '--format', 'mbox', '--folder', 'Mb2md', '--output', mbox);
    expect(exported.out).toContain(`exported ${corpus.length} messages`);
    expect(exported.code).toBe(0);
    const out = join(dir.path, 'mb2md');
    await run('mb2md', ['-s', mbox, '-d', out]);
    const letters: Record<string, string> = { S: '\\Seen', R: '\\Answered', F: '\\Flagged', T: '\\Deleted' };
    const files = await readdir(join(out, 'cur'));
    expect(files.length).toBe(corpus.length);
    for (const name of files) {
      let text = (await readFile(join(out, 'cur', name))).toString('latin1');
      // Our leading block of flag fields (X-Mailyard-Prefix: N, then N fields) is a header block to mb2md.
      const count = Number(/^X-Mailyard-Prefix: (\d+)\n/.exec(text)?.[1]);
      expect(count).toBeGreaterThan(0);
      text = text
        .split('\n')
        .slice(count + 1)
        .join('\n');
      expect(expected.has(text)).toBe(true);
      const flags = [...(name.split(':2,')[1] ?? '')].map((l) => letters[l]).sort();
      expect(flags).toEqual([...(expected.get(text) ?? [])].sort());
    }
  });

  test('the encrypted sqlite copy restores into another mailbox with its own password, and only with the right one', async () => {
    const session = await mailstore.open(mailboxId, PASSWORD);
    const before = session.listFolders().map((f) => ({ path: f.path, count: session.listMessages(f.path).length }));
    session.close();
    expect(before.some((f) => f.count > 0)).toBe(true);
    const copy = join(dir.path, 'mover-copy.zip');
    const exported = await cli(env, 'export', address, '--format', 'sqlite', '--output', copy);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('as sqlite');
    expect((await readFile(copy)).includes('SQLite format 3')).toBe(false);

    const alias = await control.createAlias(domainId, { name: 'restored', hasImap: true });
    const restoredId = randomBytes(8).toString('hex');
    await mailstore.createMailbox(restoredId, 'restored password');
    await control.setMailboxCredential(alias.id, restoredId, 'restored password');
    const restoredEnv = { ...env, MAILYARD_MAILBOX_PASSWORD: 'restored password' };
    const [wrong, restored] = await Promise.all([
      cli({ ...restoredEnv, MAILYARD_COPY_PASSWORD: 'not the password' }, 'import', 'restored@transfer.test', copy),
      cli({ ...restoredEnv, MAILYARD_COPY_PASSWORD: PASSWORD }, 'import', 'restored@transfer.test', copy),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('does not open with this password');
    expect(restored.out).toContain('(encrypted copy)');
    expect(restored.code).toBe(0);
    const check = await mailstore.open(restoredId, 'restored password');
    try {
      const after = check.listFolders().map((f) => ({ path: f.path, count: check.listMessages(f.path).length }));
      expect(after).toEqual(before);
    } finally {
      check.close();
    }
  });

  test('bad input: a wrong password, an unknown format, a missing path', async () => {
    const [wrong, format, missing] = await Promise.all([
      cli(
        { ...env, MAILYARD_MAILBOX_PASSWORD: 'wrong' },
        'export',
        address,
        '--format',
        'mbox',
        '--output',
        join(dir.path, 'x.mbox'),
      ),
      cli(env, 'export', address, '--format', 'pst', '--output', join(dir.path, 'x.pst')),
      cli(env, 'import', address, join(dir.path, 'nothing-here')),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('wrong password');
    expect(format.code).toBe(2);
    expect(format.out).toContain('unknown export format pst');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('does not exist');
  });
});
