/**
 * Form bodies beside JSON, with real curl as Forward Email's documentation uses it: `curl -d` (urlencoded: repeated
 * keys and key[] are lists; "true"/"false" and numbers converted only where the schema wants them) and `curl -F`
 * (multipart/form-data, also for the POST /v1/imports upload). Forward Email's field names and shapes are accepted
 * (`domain` for a new domain's name, recipients as one comma-separated string). The same validation applies to
 * every body type; an unsupported type is 415 and a form over the body limit 413.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { corpusMessages, requireTool, type TempDir, tempDir, waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const run = promisify(execFile);

describe('form-encoded and multipart bodies', () => {
  let h: Harness;
  let token: string;
  let work: TempDir;

  /** curl with the token as Basic user name, as Forward Email's examples (`-u API_TOKEN:`); status and JSON. */
  async function curl(method: string, path: string, args: string[], user = `${token}:`) {
    const { stdout } = await run('curl', [
      '-sS',
      '-X',
      method,
      '-u',
      user,
      '-w',
      '\n%{http_code}',
      ...args,
      `${h.base}${path}`,
    ]);
    const cut = stdout.lastIndexOf('\n');
    const text = stdout.slice(0, cut);
    return { status: Number(stdout.slice(cut + 1)), body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true, bodyLimitBytes: 4096 });
    token = await h.signUp('forms@forms.example');
    work = await tempDir('mailyard-forms-');
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await work?.cleanup();
    await h.close();
  });

  test('curl -d creates a domain with Forward Email field names (domain, plan)', async () => {
    if (!requireTool('curl')) return;
    const res = await curl('POST', '/v1/domains', ['-d', 'domain=Forms.Example', '-d', 'plan=free']);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'forms.example', dmarc_policy: 'quarantine' });
    const updated = await curl('PUT', '/v1/domains/forms.example', [
      '-d',
      'dmarc_policy=reject',
      '-d',
      'description=a b',
    ]);
    expect(updated.body).toMatchObject({ dmarc_policy: 'reject', description: 'a b' });
  });

  test("Forward Email's catchall: true forwards to the account's email, text to those addresses; a bad one adds nothing", async () => {
    if (!requireTool('curl')) return;
    const mine = await curl('POST', '/v1/domains', ['-d', 'domain=catch-mine.example', '-d', 'catchall=true']);
    expect(mine.status).toBe(201);
    const star = await h.call('GET', '/v1/domains/catch-mine.example/aliases/*', { token });
    expect(star.body.recipients).toEqual(['forms@forms.example']);
    const listed = await curl('POST', '/v1/domains', [
      '-d',
      'domain=catch-list.example',
      '-d',
      'catchall=a@elsewhere.example b@elsewhere.example',
    ]);
    expect(listed.status).toBe(201);
    const both = await h.call('GET', '/v1/domains/catch-list.example/aliases/*', { token });
    expect(both.body.recipients).toEqual(['a@elsewhere.example', 'b@elsewhere.example']);
    const none = await curl('POST', '/v1/domains', ['-d', 'domain=catch-none.example', '-d', 'catchall=false']);
    expect(none.status).toBe(201);
    expect((await h.call('GET', '/v1/domains/catch-none.example/aliases', { token })).body).toEqual([]);
    const bad = await curl('POST', '/v1/domains', ['-d', 'domain=catch-bad.example', '-d', 'catchall=nobody']);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('catchall');
    expect((await h.call('GET', '/v1/domains/catch-bad.example', { token })).status).toBe(404);
  });

  test('curl -d aliases: recipients as a delimited string, as key[] and as repeated keys; booleans by schema', async () => {
    if (!requireTool('curl')) return;
    const created = await curl('POST', '/v1/domains/forms.example/aliases', [
      '-d',
      'name=info',
      '-d',
      'recipients=one@elsewhere.example, two@elsewhere.example',
      '-d',
      'is_enabled=true',
      '-d',
      'has_imap=false',
      '-d',
      'description=true',
    ]);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'info',
      recipients: ['one@elsewhere.example', 'two@elsewhere.example'],
      is_enabled: true,
      has_imap: false,
      // A string field keeps "true" as text: conversion follows the schema.
      description: 'true',
    });
    const listed = await curl('PUT', '/v1/domains/forms.example/aliases/info', [
      '-d',
      'recipients[]=three@elsewhere.example',
      '-d',
      'recipients[]=four@elsewhere.example',
      '-d',
      'is_enabled=false',
    ]);
    expect(listed.body).toMatchObject({
      recipients: ['three@elsewhere.example', 'four@elsewhere.example'],
      is_enabled: false,
    });
    const repeated = await curl('PUT', '/v1/domains/forms.example/aliases/info', [
      '-d',
      'recipients=five@elsewhere.example',
      '-d',
      'recipients=six@elsewhere.example',
    ]);
    expect(repeated.body.recipients).toEqual(['five@elsewhere.example', 'six@elsewhere.example']);
    const bad = await curl('PUT', '/v1/domains/forms.example/aliases/info', ['-d', 'is_enabled=maybe']);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('is_enabled');
    const unknown = await curl('PUT', '/v1/domains/forms.example/aliases/info', ['-d', 'colour=blue']);
    expect(unknown.status).toBe(400);
  });

  test('numbers are converted where the schema wants one (spam scores), refused when they are not numbers', async () => {
    if (!requireTool('curl')) return;
    const res = await curl('PUT', '/v1/domains/forms.example/spam-settings', [
      '-d',
      'junk_score=4.5',
      '-d',
      'greylisting=on',
      '-d',
      'block[]=spam.example',
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ junk_score: 4.5, greylisting: true, block: ['spam.example'] });
    const bad = await curl('PUT', '/v1/domains/forms.example/spam-settings', ['-d', 'junk_score=high']);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('junk_score');
  });

  test('curl -F (multipart/form-data) on the same routes, with a file part read as text', async () => {
    if (!requireTool('curl')) return;
    const created = await curl('POST', '/v1/domains/forms.example/aliases', [
      '-F',
      'name=multi',
      '-F',
      'recipients=seven@elsewhere.example',
      '-F',
      'is_enabled=false',
    ]);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ recipients: ['seven@elsewhere.example'], is_enabled: false });
    const file = join(work.path, 'description.txt');
    writeFileSync(file, 'from a file');
    const updated = await curl('PUT', '/v1/domains/forms.example/aliases/multi', ['-F', `description=<${file}`]);
    expect(updated.body.description).toBe('from a file');
    const uploaded = await curl('PUT', '/v1/domains/forms.example/aliases/multi', ['-F', `description=@${file}`]);
    expect(uploaded.body.description).toBe('from a file');
  });

  test('JSON takes the Forward Email shapes too; other types are 415; a form over the body limit is 413', async () => {
    const json = await h.call('POST', '/v1/domains/forms.example/aliases', {
      token,
      json: { name: 'json', recipients: 'eight@elsewhere.example,nine@elsewhere.example' },
    });
    expect(json.body.recipients).toEqual(['eight@elsewhere.example', 'nine@elsewhere.example']);
    const plain = await h.call('POST', '/v1/domains/forms.example/aliases', {
      token,
      body: 'name=plain',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    expect(plain.body.message).toContain('application/x-www-form-urlencoded');
    const large = await h.call('POST', '/v1/domains/forms.example/aliases', {
      token,
      body: `name=big&description=${'x'.repeat(5000)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(large.status).toBe(413);
    const broken = await h.call('POST', '/v1/domains/forms.example/aliases', {
      token,
      body: '--nope\r\n',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    });
    expect(broken.status).toBe(400);
  });

  test('POST /v1/imports takes the mbox as a curl -F file part as well as the raw body', async () => {
    if (!requireTool('curl')) return;
    const corpus = corpusMessages().slice(0, 3);
    expect(corpus.length).toBe(3);
    await h.call('POST', '/v1/domains/forms.example/aliases', { token, json: { name: 'box', has_imap: true } });
    const issued = await h.call('POST', '/v1/domains/forms.example/aliases/box/generate-password', { token });
    const mbox = join(work.path, 'upload.mbox');
    const quoteFrom = (text: string) => text.replace(/^(>*From )/gm, '>$1');
    writeFileSync(
      mbox,
      corpus
        .map(
          (path) => `From sender@forms.example Thu Jan  1 00:00:00 2026\n${quoteFrom(readFileSync(path, 'latin1'))}\n`,
        )
        .join(''),
      'latin1',
    );
    const user = `box@forms.example:${issued.body.password}`;
    const posted = await curl('POST', '/v1/imports', ['-F', `file=@${mbox}`], user);
    expect(posted.status).toBe(202);
    const auth = { authorization: `Basic ${Buffer.from(user).toString('base64')}` };
    const status = await waitFor(async () => {
      const res = await h.call('GET', `/v1/imports/${posted.body.id}`, { headers: auth });
      return res.body.status === 'done' || res.body.status === 'failed' ? res.body : null;
    }, 20_000);
    expect(status).toMatchObject({ status: 'done', format: 'mbox', imported: 3, skipped: [] });
  });
});
