import { expect, test } from 'vitest';
import { combine, decide, runChecks, type SpamCheck, type SpamInput } from './verdict.js';

const input: Omit<SpamInput, 'signal'> = {
  client: { ip: '192.0.2.1', helo: 'mail.example.test' },
  envelope: { from: 'a@example.test', to: ['b@example.test'] },
  auth: { spf: 'pass', dkim: 'none', dmarc: 'none', arc: 'none', dmarcPolicy: 'none' },
  headers: [],
  header: Buffer.from('Subject: x\r\n\r\n'),
  size: 16,
  scanned: Buffer.from('Subject: x\r\n\r\nhi'),
  read: async function* () {
    yield Buffer.from('Subject: x\r\n\r\nhi');
  },
};

const thresholds = { junk: 5, reject: 15 };

test('scores add up and thresholds pick accept, junk or reject', () => {
  const report = combine([
    { symbols: [{ name: 'A', score: 2.25, description: 'a' }] },
    { symbols: [{ name: 'B', score: 3, description: 'b' }] },
  ]);
  expect(report.score).toBe(5.3);
  expect(decide(report, [], thresholds).action).toBe('junk');
  expect(decide(report, [{ name: 'ALLOW', score: -100, description: '' }], thresholds).action).toBe('accept');
  const rejected = decide(report, [{ name: 'BLOCK', score: 100, description: '' }], thresholds);
  expect(rejected).toMatchObject({ action: 'reject', score: 105.3 });
  expect(rejected.reason).toMatch(/spam/);
});

test('an action a check insists on wins over a lower score, with its reason', () => {
  const report = combine([
    { symbols: [], action: 'junk' },
    { symbols: [{ name: 'VIRUS', score: 0, description: 'x' }], action: 'reject', reason: 'Virus found' },
  ]);
  expect(decide(report, [{ name: 'ALLOW', score: -100, description: '' }], thresholds)).toMatchObject({
    action: 'reject',
    reason: 'Virus found',
  });
});

test('a check that throws or does not answer in time fails open with a zero-score symbol', async () => {
  let aborted = false;
  const checks: SpamCheck[] = [
    { name: 'broken', check: async () => Promise.reject(new Error('socket closed')) },
    {
      name: 'slow',
      check: (i) =>
        new Promise((resolve) => {
          i.signal.addEventListener('abort', () => {
            aborted = true;
          });
          setTimeout(() => resolve({ symbols: [{ name: 'LATE', score: 50, description: '' }] }), 2000).unref();
        }),
    },
    { name: 'fine', check: async () => ({ symbols: [{ name: 'FINE', score: 1, description: 'ok' }] }) },
  ];
  const report = await runChecks(checks, input, 50);
  expect(report.symbols.map((s) => [s.name, s.score])).toEqual([
    ['BROKEN_FAILED', 0],
    ['SLOW_FAILED', 0],
    ['FINE', 1],
  ]);
  expect(report.symbols[0]?.description).toBe('socket closed');
  expect(report.score).toBe(1);
  expect(aborted).toBe(true);
});

test("a full engine's score and action stand instead of the thresholds; lists and insisted actions still count", () => {
  const builtIn = { symbols: [{ name: 'SPF_FAIL', score: 9, description: 'x' }] };
  const engineSays = (action?: 'junk' | 'reject') => ({
    symbols: [{ name: 'RSPAMD_X', score: 0, description: 'rspamd' }],
    engineScore: action === 'reject' ? 20 : 2.04,
    ...(action ? { action, reason: `rspamd: ${action}` } : {}),
  });
  const accepted = decide(combine([builtIn, engineSays()]), [], thresholds);
  expect(accepted).toMatchObject({ action: 'accept', score: 2 });
  expect(accepted.symbols.map((s) => s.name)).toEqual(['SPF_FAIL', 'RSPAMD_X']);
  expect(decide(combine([engineSays('junk')]), [], thresholds).action).toBe('junk');
  expect(decide(combine([engineSays('reject')]), [], thresholds)).toMatchObject({
    action: 'reject',
    reason: 'rspamd: reject',
  });
  const allow = [{ name: 'SENDER_ALLOWED', score: -100, description: '' }];
  expect(decide(combine([engineSays('reject')]), allow, thresholds).action).toBe('accept');
  const block = [{ name: 'SENDER_BLOCKED', score: 100, description: '' }];
  expect(decide(combine([engineSays()]), block, thresholds).action).toBe('reject');
  const quarantine = { symbols: [], action: 'junk' as const };
  expect(decide(combine([quarantine, engineSays()]), [], thresholds).action).toBe('junk');
  // Without the engine (it failed: only its _FAILED symbol), the sum and the thresholds decide again.
  const failed = { symbols: [{ name: 'RSPAMD_FAILED', score: 0, description: 'refused' }] };
  expect(decide(combine([builtIn, failed]), [], thresholds)).toMatchObject({ action: 'junk', score: 9 });
});
