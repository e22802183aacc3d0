/** Dashboard form bodies go through @mailyard/limits' bounded reader: past FORM_LIMIT_BYTES the answer is 413. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FORM_LIMIT_BYTES } from '../src/form-body.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  expect(h.codeBugs()).toEqual([]);
  await h.close();
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };

test('a form over the limit is refused with 413 and a page that says why; the server keeps answering', async () => {
  const declared = await fetch(`${h.base}/login`, {
    method: 'POST',
    headers: form,
    body: `email=${'a'.repeat(FORM_LIMIT_BYTES)}`,
  });
  expect(declared.status).toBe(413);
  const page = await declared.text();
  expect(page).toContain('Too large');
  expect(page).toContain(`the form is larger than ${FORM_LIMIT_BYTES} bytes`);

  // Streamed without a Content-Length: cut off near the limit, long before the client has sent it all.
  const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
  const chunks = 1024;
  let sent = 0;
  const streamed = await fetch(`${h.base}/login`, {
    method: 'POST',
    headers: form,
    body: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < chunks) controller.enqueue(chunk);
        else controller.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  expect(streamed.status).toBe(413);
  expect(sent).toBeLessThan(chunks / 4);

  expect((await fetch(`${h.base}/login`)).status).toBe(200);
});
