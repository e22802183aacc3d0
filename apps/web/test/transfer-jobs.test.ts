/**
 * One tracker for background imports, seen from both sides over real HTTP on 127.0.0.1: an import posted to the
 * REST API shows on the alias's backup page of the dashboard, an import uploaded on the dashboard answers
 * GET /v1/imports/{id}, with the same counts; and a new API server over the same data dir (a restart, or another
 * instance) still answers for a job the first one ran.
 */

import { type ApiServer, createApiServer } from '@mailyard/api';
import { issueMailboxPassword } from '@mailyard/control';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

const DOMAIN = 'jobs.example';
const PASSWORD = 'jobs mailbox password';

/** An mbox of messages `from`..`to`, each with its own Message-ID. */
function mbox(from: number, to: number): Buffer {
  let text = '';
  for (let i = from; i <= to; i++) {
    text += `From sender@example.com Mon Jan  1 00:00:0${i % 10} 2024\nFrom: sender@example.com\nTo: box@${DOMAIN}\n`;
    text += `Subject: message ${i}\nMessage-ID: <jobs-${i}@example.com>\n\nbody ${i}\n\n`;
  }
  return Buffer.from(text);
}

describe('background imports: the API and the dashboard share one tracker', () => {
  let h: Harness;
  let owner: WebClient;
  let api: ApiServer;
  let apiBase: string;
  const auth = `Basic ${Buffer.from(`box@${DOMAIN}:${PASSWORD}`).toString('base64')}`;
  const jobPage = (id: string) => `/domains/${DOMAIN}/aliases/box/backup/jobs/${id}`;

  const startApi = async () => {
    api = createApiServer({ config: h.config, logger: h.logger, control: h.control, mailstore: h.mailstore });
    apiBase = `http://127.0.0.1:${await api.listen(0, '127.0.0.1')}`;
  };
  const apiStatus = async (id: string) => {
    const res = await fetch(`${apiBase}/v1/imports/${id}`, { headers: { authorization: auth } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const apiFinished = (id: string) =>
    waitFor(async () => {
      const { body } = await apiStatus(id);
      return body.status === 'queued' || body.status === 'running' ? null : body;
    }, 20_000);

  beforeAll(async () => {
    h = await startHarness();
    owner = await new WebClient(h.base).signUp(`owner@${DOMAIN}`);
    const account = await h.control.findAccountByEmail(`owner@${DOMAIN}`);
    const domain = await h.control.createDomain({
      accountId: account?.id ?? '',
      name: DOMAIN,
      verificationToken: 't',
      dkim: { selector: 's', publicKey: 'p', privateKeyPem: 'k' },
    });
    const alias = await h.control.createAlias(domain.id, { name: 'box', hasImap: true });
    await issueMailboxPassword(h.control, h.mailstore, alias, { newPassword: PASSWORD });
    await startApi();
  });
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  test('an API import on the backup page, a dashboard import in the API, both after a new API instance', async () => {
    const posted = await fetch(`${apiBase}/v1/imports`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(mbox(1, 3)),
    });
    expect(posted.status).toBe(202);
    const apiJob = ((await posted.json()) as { id: string }).id;
    const apiDone = await apiFinished(apiJob);
    expect(apiDone).toMatchObject({ status: 'done', read: 3, imported: 3, duplicates: 0 });

    // The dashboard shows the API's job, on its page and in the list of the alias's backup page.
    const shown = await owner.get(jobPage(apiJob));
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('status-done');
    expect(shown.text).toContain('<dd id="job-imported">3</dd>');
    expect((await owner.get(`/domains/${DOMAIN}/aliases/box/backup`)).text).toContain(jobPage(apiJob));

    // A dashboard upload of messages 1..5: two new, three duplicates; the API answers for it.
    await owner.get(`/domains/${DOMAIN}/aliases/box/backup`);
    const form = new FormData();
    form.append('_csrf', owner.csrf);
    form.append('password', PASSWORD);
    form.append('file', new Blob([new Uint8Array(mbox(1, 5))]), 'more.mbox');
    const uploaded = await fetch(`${h.base}/domains/${DOMAIN}/aliases/box/backup/import`, {
      method: 'POST',
      headers: { cookie: owner.cookie },
      body: form,
      redirect: 'manual',
    });
    expect(uploaded.status).toBe(303);
    const webJob = /\/jobs\/(I[0-9a-f]{24})$/.exec(uploaded.headers.get('location') ?? '')?.[1] ?? '';
    expect(webJob).not.toBe('');
    const webDone = await apiFinished(webJob);
    expect(webDone).toMatchObject({ status: 'done', format: 'mbox', read: 5, imported: 2, duplicates: 3 });
    expect((await owner.get(jobPage(webJob))).text).toContain('<dd id="job-duplicates">3</dd>');

    // Another API server over the same data dir answers for both jobs, unchanged.
    await api.close();
    await startApi();
    expect(await apiStatus(apiJob)).toEqual({ status: 200, body: apiDone });
    expect(await apiStatus(webJob)).toEqual({ status: 200, body: webDone });
    expect((await apiStatus('I000000000000000000000000')).status).toBe(404);
  });
});
