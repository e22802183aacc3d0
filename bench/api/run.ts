/**
 * API benchmark: GET /v1/domains/:domain/aliases on a domain with 10,000 aliases (pages of 50 spread over the
 * whole list, sorted by name), over real HTTP on 127.0.0.1 against a real encrypted SQLite control store.
 * The load generator (load-worker.mjs: fetch, `--concurrency` requests in flight) runs in a worker thread so that
 * it does not share the server's event loop. Prints requests/s and latency percentiles.
 *
 *   node --conditions=source --import tsx bench/api/run.ts [--aliases 10000] [--seconds 10] [--concurrency 16]
 */
import { parseArgs } from 'node:util';
import type { SqliteControlStore } from '@mailyard/control';
import { measureLoad, startBenchApi } from './fixture.js';

const { values } = parseArgs({
  options: {
    aliases: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    limit: { type: 'string', default: '50' },
  },
});
const ALIASES = Number(values.aliases);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const LIMIT = Number(values.limit);

async function seed(control: SqliteControlStore): Promise<string> {
  const account = await control.createAccount({
    email: 'bench@example.org',
    password: 'bench password',
    isAdmin: true,
  });
  const { secret } = await control.createToken(account.id, 'bench');
  const domain = await control.createDomain({
    accountId: account.id,
    name: 'bench.example',
    verificationToken: 'bench',
    dkim: { selector: 'bench', publicKey: 'AAAA', privateKeyPem: 'unused' },
  });
  const started = performance.now();
  for (let i = 0; i < ALIASES; i++) {
    await control.createAlias(domain.id, {
      name: `user${String(i).padStart(5, '0')}`,
      recipients: [`forward${i}@elsewhere.example`],
      description: 'benchmark alias',
    });
  }
  console.log(`seeded ${ALIASES} aliases in ${Math.round(performance.now() - started)} ms`);
  return secret;
}

async function main(): Promise<void> {
  const bench = await startBenchApi('api');
  try {
    const token = await seed(bench.control);
    const port = await bench.api.listen(0, '127.0.0.1');
    await measureLoad(
      `GET /v1/domains/:domain/aliases (${ALIASES} aliases, limit ${LIMIT}, ${CONCURRENCY} concurrent, ${SECONDS} s)`,
      new URL('./load-worker.mjs', import.meta.url),
      {
        url: `http://127.0.0.1:${port}`,
        authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}`,
        aliases: ALIASES,
        limit: LIMIT,
        seconds: SECONDS,
        concurrency: CONCURRENCY,
      },
    );
  } finally {
    await bench.close();
  }
}

await main();
