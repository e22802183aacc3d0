/**
 * Pattern aliases: what a match costs. Part 1 runs catastrophic-backtracking shapes of regular expressions on
 * hostile inputs of 1,000 to 50,000 characters through the compiled test the router uses (re2js), without the
 * router's 64-octet cap, and prints microseconds per 1,000 characters: flat figures mean linear time. Part 2 times
 * recipient resolution in a real control.db: an exact hit, a pattern hit and a miss that ends at the catch-all, with
 * 0 and 50 patterns in the domain.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { classifyAliasName, patternTest, SqliteControlStore } from '@mailyard/control';
import { tempDir } from '@mailyard/testkit';

/** Median milliseconds of `repeat` runs: the machine is shared, so the median says more than the mean. */
function time(run: () => void, repeat: number): number {
  const runs: number[] = [];
  for (let i = 0; i < repeat; i += 1) {
    const started = performance.now();
    run();
    runs.push(performance.now() - started);
  }
  return runs.sort((a, b) => a - b)[Math.floor(repeat / 2)] ?? 0;
}

function hostileShapes(): void {
  const cases: Array<[string, (n: number) => string]> = [
    ['/^(a+)+$/', (n) => `${'a'.repeat(n - 1)}!`],
    ['/^(a|aa)+b$/', (n) => 'a'.repeat(n)],
    ['/^(.*a){8}$/', (n) => `${'a'.repeat(n - 1)}b`],
    ['/^([a-z0-9]+[._-]?)+@$/', (n) => `${'ab1.'.repeat(Math.floor(n / 4))}!`],
  ];
  console.log('hostile regular expressions (re2js), no length cap:');
  for (const [name, input] of cases) {
    const { kind } = classifyAliasName(name);
    if (kind !== 'regex') throw new Error(`${name} is not a regex alias`);
    const test = patternTest({ kind, name });
    const row = [1_000, 10_000, 50_000].map((n) => {
      const text = input(n);
      test(text);
      const ms = time(() => test(text), 21);
      return `${n}: ${ms.toFixed(2)} ms (${((ms * 1000) / (n / 1000)).toFixed(1)} us/1k chars, median)`;
    });
    console.log(`  ${name.padEnd(26)} ${row.join('  ')}`);
  }
}

async function resolution(): Promise<void> {
  const dir = await tempDir('mailyard-bench-patterns-');
  const store = new SqliteControlStore({
    dataDir: dir.path,
    masterKey: randomBytes(32),
    scryptCost: { N: 1024, r: 8, p: 1 },
  });
  try {
    const account = await store.createAccount({ email: 'bench@example.org', password: 'bench-password' });
    const dkim = { selector: 'b1', publicKey: 'x', privateKeyPem: 'x' };
    for (const [name, patterns] of [
      ['none.example', 0],
      ['fifty.example', 50],
    ] as const) {
      const domain = await store.createDomain({
        accountId: account.id,
        name,
        verificationToken: 't',
        dkim,
        verified: true,
      });
      for (let i = 0; i < 200; i += 1)
        await store.createAlias(domain.id, { name: `user${i}`, recipients: ['x@remote.example'] });
      for (let i = 0; i < patterns; i += 1) {
        const pattern = i % 2 === 0 ? `team${i}-*` : `/^ticket${i}-\\d+$/`;
        await store.createAlias(domain.id, { name: pattern, recipients: ['x@remote.example'] });
      }
      await store.createAlias(domain.id, { name: '*', recipients: ['x@remote.example'] });
      const lookups: Array<[string, string]> = [
        ['exact', `user7@${name}`],
        ['pattern', patterns ? `ticket49-1234@${name}` : `user8+tag@${name}`],
        ['catch-all', `nobody-here@${name}`],
      ];
      for (const [label, address] of lookups) {
        await store.resolveRecipient(address);
        const runs: number[] = [];
        for (let i = 0; i < 2_000; i += 1) {
          const started = performance.now();
          await store.resolveRecipient(address);
          runs.push(performance.now() - started);
        }
        const us = (runs.sort((a, b) => a - b)[1_000] ?? 0) * 1000;
        console.log(
          `  ${String(patterns).padStart(2)} patterns, ${label.padEnd(9)} ${us.toFixed(1)} us per lookup (median)`,
        );
      }
    }
  } finally {
    await store.close();
    await dir.cleanup();
  }
}

hostileShapes();
console.log('resolveRecipient in control.db (200 exact aliases and a catch-all per domain):');
await resolution();
