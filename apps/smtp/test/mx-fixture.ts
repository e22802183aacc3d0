/**
 * The set-up of the tests that send to the MX over SMTP and watch what reaches a remote MX: the harness (hosted.test
 * with its aliases, the DNS responder), the MX on 127.0.0.1 port 0, a remote MX for the outbound worker to deliver
 * to, and sender.test's SPF record allowing 127.0.0.1 (the address every test client connects from).
 */
import type { Config, DeepPartial } from '@mailyard/config';
import type { MailEvent } from '@mailyard/control';
import type { SmtpDeps } from '../src/deps.js';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { type Harness, HOSTED, type RemoteMx, startHarness, startRemoteMx } from './harness.js';

export interface MxFixture {
  h: Harness;
  mx: SmtpListener;
  mxPort: number;
  remote: RemoteMx;
  /** hosted.test's id in the control store. */
  domainId: string;
  /** hosted.test's mail log, every event so far. */
  mailEvents(): Promise<MailEvent[]>;
  /** Closes the MX, the remote MX and the harness (which fails on errors logged). */
  close(): Promise<void>;
}

export async function startMxFixture(
  overrides: DeepPartial<Config> = {},
  deps: Partial<SmtpDeps> = {},
): Promise<MxFixture> {
  const h = await startHarness(overrides);
  const domainId = (await h.control.findDomainByName(HOSTED))?.id ?? '';
  h.dns.table.txt.set('sender.test', [['v=spf1 ip4:127.0.0.1 -all']]);
  const mx = createMxServer(h.deps(deps));
  const mxPort = await mx.listen(0, '127.0.0.1');
  const remote = await startRemoteMx();
  return {
    h,
    mx,
    mxPort,
    remote,
    domainId,
    async mailEvents() {
      const page = await h.control.listMailEvents({
        domainIds: [domainId],
        since: new Date(0),
        until: new Date(Date.now() + 1000),
        page: 1,
        limit: 100,
      });
      return page.items;
    },
    async close() {
      await mx.close(1000);
      await remote.close();
      await h.close();
    },
  };
}
