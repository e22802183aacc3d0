/**
 * A private Mailyard API for the Forward Email replay (fe-compat-replay.ts): 127.0.0.1, port 0, a temporary data
 * dir, sign-up closed (so Forward Email's accept-by-email works), an owner and an invited account, a message sender (GET /v1/emails/limit), and a private
 * DNS responder with no records (verify-records then reports them missing, without the network).
 */

import { startDnsServer } from '@mailyard/testkit';
import type { ReplayTarget } from './fe-compat-replay.js';
import { type Harness, startHarness } from './harness.js';

export async function startReplayServer(): Promise<{ h: Harness; target: ReplayTarget; close(): Promise<void> }> {
  const dns = await startDnsServer();
  const h = await startHarness({ signupOpen: false, resolver: dns.address, sender: {} });
  const token = await h.signUp('owner@fe-replay.example');
  const inviteeToken = await h.signUp('invitee@fe-replay.example', token);
  const account = await h.call('GET', '/v1/account', { token: inviteeToken });
  return {
    h,
    target: {
      base: h.base,
      token,
      invitee: { token: inviteeToken, email: 'invitee@fe-replay.example', accountId: account.body.id },
    },
    async close() {
      await h.close();
      await dns.close();
    },
  };
}
