/**
 * Replays Forward Email's documented API examples against a Mailyard API with real curl: the same methods, paths
 * and curl arguments (`-u API_TOKEN:`, `-d field=value`), with the token, domain, alias and member filled in, and a
 * body from the documented parameters where the example shows none. Prints which succeed (2xx).
 *
 *   node --import tsx apps/api/test/fe-compat-replay.ts                      # starts a private test server
 *   node --import tsx apps/api/test/fe-compat-replay.ts --base http://127.0.0.1:8080 --token myd_… \
 *        [--invitee-token myd_… --invitee-email someone@example.org]        # targets a running API
 *
 * Against a running API it creates (and at the end deletes) a domain named fe-replay-<random>.example. Without an
 * invitee account the invite and member examples are skipped. fe-compat.test.ts runs it and checks each result
 * against the compatibility table of docs/api.md.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ReplayTarget {
  base: string;
  token: string;
  invitee?: { token: string; email: string; accountId: string };
  domain?: string;
}

export interface ReplayCase {
  /** The endpoint as Forward Email documents it; the row of the compatibility table in docs/api.md. */
  endpoint: string;
  /** curl arguments after `-X METHOD -u TOKEN:` and before the URL; placeholders are filled in. */
  args: string[];
  path: string;
  /** Whose token: the domain's owner, or the invited account. */
  as?: 'owner' | 'invitee';
  needsInvitee?: boolean;
}

export interface ReplayResult {
  endpoint: string;
  command: string;
  status: number | null;
  ok: boolean;
  /** Why it was not run (no invitee account). */
  skipped?: string;
  /** The start of the reply body, for a failure. */
  reply?: string;
}

const OTHER_EMAIL = 'fe-replay-revoked@example.org';

/** Forward Email's examples in its documentation's order (account, domains, invites, members, aliases). */
export const CASES: ReplayCase[] = [
  { endpoint: 'GET /v1/account', path: '/v1/account', args: [] },
  { endpoint: 'POST /v1/account', path: '/v1/account', args: ['-d', 'email=EMAIL'] },
  { endpoint: 'PUT /v1/account', path: '/v1/account', args: ['-d', 'email=EMAIL'] },
  { endpoint: 'POST /v1/domains', path: '/v1/domains', args: ['-d', 'domain=DOMAIN_NAME', '-d', 'plan=free'] },
  { endpoint: 'GET /v1/domains', path: '/v1/domains', args: [] },
  { endpoint: 'GET /v1/domains/:domain', path: '/v1/domains/DOMAIN_NAME', args: [] },
  { endpoint: 'GET /v1/domains/:domain/verify-records', path: '/v1/domains/DOMAIN_NAME/verify-records', args: [] },
  { endpoint: 'PUT /v1/domains/:domain', path: '/v1/domains/DOMAIN_NAME', args: [] },
  {
    endpoint: 'POST /v1/domains/:domain/aliases',
    path: '/v1/domains/DOMAIN_NAME/aliases',
    args: ['-d', 'name=ALIAS_NAME', '-d', 'recipients=EMAIL', '-d', 'is_enabled=true'],
  },
  { endpoint: 'GET /v1/domains/:domain/aliases', path: '/v1/domains/DOMAIN_NAME/aliases', args: [] },
  { endpoint: 'GET /v1/domains/:domain/aliases/:alias', path: '/v1/domains/DOMAIN_NAME/aliases/ALIAS_NAME', args: [] },
  {
    endpoint: 'PUT /v1/domains/:domain/aliases/:alias',
    path: '/v1/domains/DOMAIN_NAME/aliases/ALIAS_NAME',
    args: ['-d', 'recipients=EMAIL,second@example.org', '-d', 'is_enabled=false'],
  },
  {
    endpoint: 'POST /v1/domains/:domain/aliases/:alias/generate-password',
    path: '/v1/domains/DOMAIN_NAME/aliases/ALIAS_NAME/generate-password',
    args: [],
  },
  {
    endpoint: 'POST /v1/domains/:domain/invites',
    path: '/v1/domains/DOMAIN_NAME/invites',
    args: ['-d', 'email=INVITEE_EMAIL', '-d', 'group=admin'],
    needsInvitee: true,
  },
  {
    endpoint: 'GET /v1/domains/:domain/invites',
    path: '/v1/domains/DOMAIN_NAME/invites',
    args: [],
    as: 'invitee',
    needsInvitee: true,
  },
  {
    endpoint: 'PUT /v1/domains/:domain/members/:member',
    path: '/v1/domains/DOMAIN_NAME/members/MEMBER_ID',
    args: ['-d', 'group=user'],
    needsInvitee: true,
  },
  {
    endpoint: 'DELETE /v1/domains/:domain/members/:member',
    path: '/v1/domains/DOMAIN_NAME/members/MEMBER_ID',
    args: [],
    needsInvitee: true,
  },
  {
    endpoint: 'DELETE /v1/domains/:domain/invites',
    path: '/v1/domains/DOMAIN_NAME/invites',
    args: ['-d', `email=${OTHER_EMAIL}`],
  },
  {
    endpoint: 'DELETE /v1/domains/:domain/aliases/:alias',
    path: '/v1/domains/DOMAIN_NAME/aliases/ALIAS_NAME',
    args: [],
  },
  { endpoint: 'GET /v1/emails/limit', path: '/v1/emails/limit', args: [] },
  { endpoint: 'GET /v1/logs/download', path: '/v1/logs/download', args: [] },
  { endpoint: 'DELETE /v1/domains/:domain', path: '/v1/domains/DOMAIN_NAME', args: [] },
];

const methodOf = (endpoint: string) => endpoint.split(' ')[0] ?? 'GET';

async function curl(method: string, url: string, token: string, args: string[]) {
  const { stdout } = await run('curl', ['-sS', '-X', method, '-u', `${token}:`, '-w', '\n%{http_code}', ...args, url]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

export async function replay(target: ReplayTarget): Promise<ReplayResult[]> {
  const domain = target.domain ?? `fe-replay-${randomBytes(4).toString('hex')}.example`;
  const fill = (text: string) =>
    text
      .replaceAll('DOMAIN_NAME', domain)
      .replaceAll('ALIAS_NAME', 'replayed')
      .replaceAll('INVITEE_EMAIL', target.invitee?.email ?? '')
      .replaceAll('MEMBER_ID', target.invitee?.accountId ?? '')
      .replaceAll('EMAIL', 'fe-replay@example.org');
  const results: ReplayResult[] = [];
  for (const item of CASES) {
    const method = methodOf(item.endpoint);
    const url = `${target.base}${fill(item.path)}`;
    const args = item.args.map(fill);
    const command =
      `curl -X ${method} ${fill(item.path)} -u API_TOKEN: ${args.map((a) => (a === '-d' ? a : `"${a}"`)).join(' ')}`.trim();
    if (item.needsInvitee && !target.invitee) {
      results.push({ endpoint: item.endpoint, command, status: null, ok: false, skipped: 'no invitee account' });
      continue;
    }
    // Revoking needs a pending invite: one is made first (not a documented example itself).
    if (item.endpoint === 'DELETE /v1/domains/:domain/invites') {
      await curl('POST', `${target.base}/v1/domains/${domain}/invites`, target.token, ['-d', `email=${OTHER_EMAIL}`]);
    }
    const token = item.as === 'invitee' ? (target.invitee?.token ?? '') : target.token;
    const res = await curl(method, url, token, args);
    const ok = res.status >= 200 && res.status < 300;
    results.push({
      endpoint: item.endpoint,
      command,
      status: res.status,
      ok,
      ...(ok ? {} : { reply: res.body.slice(0, 200) }),
    });
  }
  return results;
}

export function formatResults(results: ReplayResult[]): string {
  const width = Math.max(...results.map((r) => r.endpoint.length));
  const lines = results.map((r) => {
    const outcome = r.skipped ? `skipped (${r.skipped})` : r.ok ? 'ok' : `FAILED ${r.reply ?? ''}`;
    return `${r.endpoint.padEnd(width)}  ${String(r.status ?? '-').padStart(3)}  ${outcome}`;
  });
  const ran = results.filter((r) => !r.skipped);
  lines.push(`${ran.filter((r) => r.ok).length} of ${ran.length} examples succeeded`);
  return lines.join('\n');
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

async function main(args: string[]): Promise<void> {
  const base = option(args, '--base');
  if (base) {
    const token = option(args, '--token');
    if (!token) throw new Error('--base needs --token');
    const inviteeToken = option(args, '--invitee-token');
    const inviteeEmail = option(args, '--invitee-email');
    let invitee: ReplayTarget['invitee'];
    if (inviteeToken && inviteeEmail) {
      const account = await curl('GET', `${base}/v1/account`, inviteeToken, []);
      invitee = { token: inviteeToken, email: inviteeEmail, accountId: JSON.parse(account.body).id };
    }
    console.log(formatResults(await replay({ base, token, ...(invitee ? { invitee } : {}) })));
    return;
  }
  const { startReplayServer } = await import('./fe-compat-server.js');
  const server = await startReplayServer();
  try {
    console.log(formatResults(await replay(server.target)));
  } finally {
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
