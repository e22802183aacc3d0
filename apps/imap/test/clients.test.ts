/**
 * Real clients other than imapflow: python3 imaplib, curl's IMAP, and isync's mbsync syncing a folder of 1,000
 * messages both ways, then again with nothing to do. Each needs its Debian tool: missing locally means skip with
 * a printed reason, missing in CI (CI=true) means failure.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, message, startHarness, statusOf, type TestUser } from './harness.js';

const run = promisify(execFile);
const hasPython = requireTool('python3');
const hasCurl = requireTool('curl');
const hasMbsync = requireTool('mbsync');

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('clients');
  const client = await h.client(user);
  await client.append('INBOX', message('curl and python', 'Body for other clients.'));
  await client.logout();
});
afterAll(async () => h?.close());

const PYTHON = `
import imaplib, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = imaplib.IMAP4('127.0.0.1', port)
m.login(user, password)
typ, data = m.select('INBOX')
assert typ == 'OK', data
typ, data = m.append('INBOX', '(\\\\Seen)', None, b'Subject: from python\\r\\n\\r\\nhi\\r\\n')
assert typ == 'OK', data
typ, data = m.uid('SEARCH', None, 'SUBJECT', '"from python"')
uid = data[0].split()[-1].decode()
typ, data = m.uid('FETCH', uid, '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
print(data[0][1].decode().strip())
typ, data = m.uid('STORE', uid, '+FLAGS', '(\\\\Flagged)')
print(data[0].decode())
m.create('PyFolder')
typ, data = m.list()
print(' '.join(line.decode().split(' ')[-1] for line in data))
m.logout()
`;

test.skipIf(!hasPython)('python3 imaplib: select, append, search, fetch, store, create, list', async () => {
  const { stdout } = await run('python3', ['-c', PYTHON, String(h.port), user.address, user.password]);
  expect(stdout).toContain('Subject: from python');
  expect(stdout).toMatch(/FLAGS \(.*\\Flagged/);
  expect(stdout).toContain('PyFolder');
});

test.skipIf(!hasCurl)('curl reads a message by UID and lists folders', async () => {
  const base = `imap://127.0.0.1:${h.port}`;
  const auth = ['--user', `${user.address}:${user.password}`];
  const { stdout: body } = await run('curl', ['-sS', ...auth, `${base}/INBOX;UID=1`]);
  expect(body).toContain('Subject: curl and python');
  expect(body).toContain('Body for other clients.');
  const { stdout: list } = await run('curl', ['-sS', ...auth, `${base}/`]);
  expect(list).toMatch(/"\/" "?INBOX/);
});

async function mbsyncConfig(dir: string, maildir: string): Promise<string> {
  const path = join(dir, 'mbsyncrc');
  const config = [
    'IMAPAccount test',
    'Host 127.0.0.1',
    `Port ${h.port}`,
    `User ${user.address}`,
    `Pass "${user.password}"`,
    'SSLType None',
    'AuthMechs LOGIN',
    '',
    'IMAPStore remote',
    'Account test',
    '',
    'MaildirStore local',
    `Path ${maildir}/`,
    `Inbox ${maildir}/INBOX`,
    '',
    'Channel sync',
    'Far :remote:',
    'Near :local:',
    'Patterns Bulk',
    'Create Both',
    'Sync All',
    'Expunge Both',
    `SyncState ${join(dir, 'state')}/`,
    '',
  ].join('\n');
  await mkdir(join(dir, 'state'), { recursive: true });
  await mkdir(maildir, { recursive: true });
  await writeFile(path, config);
  return path;
}

async function mbsync(config: string): Promise<string> {
  const { stdout, stderr } = await run('mbsync', ['-c', config, '-Dn', 'sync'], { maxBuffer: 16 * 1024 * 1024 });
  return stdout + stderr;
}

async function countMaildir(dir: string): Promise<number> {
  const [cur, fresh] = await Promise.all([readdir(join(dir, 'cur')), readdir(join(dir, 'new'))]);
  return cur.length + fresh.length;
}

test.skipIf(!hasMbsync)(
  'mbsync syncs 1,000 messages both ways, then finds nothing to do',
  async () => {
    const mailbox = await h.mailstore.open(user.mailboxId, user.password);
    mailbox.createFolder('Bulk');
    for (let i = 0; i < 1000; i++) await mailbox.append('Bulk', message(`bulk ${i}`, `message number ${i}`));
    mailbox.close();
    const maildir = join(h.dataDir, 'tmp', 'maildir');
    const config = await mbsyncConfig(join(h.dataDir, 'tmp'), maildir);

    expect(await mbsync(config)).not.toMatch(/IMAP error/);
    expect(await countMaildir(join(maildir, 'Bulk'))).toBe(1000);

    // Local side: 25 new messages go up; a server-side change comes down.
    for (let i = 0; i < 25; i++) {
      await writeFile(join(maildir, 'Bulk', 'new', `local${i}.host`), message(`local ${i}`));
    }
    const client = await h.client(user);
    await client.mailboxOpen('Bulk');
    await client.messageFlagsAdd('1:10', ['\\Flagged']);
    await mbsync(config);
    expect((await statusOf(client, 'Bulk', { messages: true })).messages).toBe(1025);
    expect(await countMaildir(join(maildir, 'Bulk'))).toBe(1025);
    const flagged = (await readdir(join(maildir, 'Bulk', 'cur'))).filter((name) => /:2,[A-Z]*F/.test(name));
    expect(flagged).toHaveLength(10);
    await client.logout();

    const idle = await mbsync(config);
    // Nothing to transfer: no APPEND up, no body FETCH down, and a clean LOGOUT (no "unexpected EOF").
    expect(idle).not.toMatch(/>>> \d+ APPEND|BODY\.PEEK\[\]/);
    expect(idle).toMatch(/>>> \d+ LOGOUT/);
    expect(idle).not.toMatch(/IMAP error/);
    expect((await statusOf(await h.client(user), 'Bulk', { messages: true })).messages).toBe(1025);
  },
  120_000,
);

test('no code bugs were logged', () => {
  expect(h.codeBugs()).toEqual([]);
});
