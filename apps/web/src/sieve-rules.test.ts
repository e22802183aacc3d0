import { compileScript, RawMessage, runScript, type SieveAction } from '@mailyard/sieve';
import { describe, expect, test } from 'vitest';
import { checkedRules, type DashboardRules, EMPTY_RULES, generateScript, readRules } from './sieve-rules.js';

const MESSAGE = Buffer.from(
  'From: Boss <boss@work.example>\r\nTo: me@home.example\r\nCc: team@work.example\r\n' +
    'Subject: Quarterly "numbers" \\ report\r\nMessage-ID: <m1@work.example>\r\n\r\nHello\r\n',
);

function run(state: DashboardRules, now = new Date('2026-12-24T12:00:00Z')): SieveAction[] {
  const script = compileScript(generateScript(checkedRules(state)));
  const outcome = runScript(script, new RawMessage(MESSAGE), {
    envelope: { from: 'boss@work.example', to: 'me@home.example' },
    now,
  });
  expect(outcome.error).toBeNull();
  return outcome.actions;
}

const rules = (...list: DashboardRules['rules']): DashboardRules => ({ ...EMPTY_RULES, rules: list });
const types = (actions: SieveAction[]) => actions.map((a) => a.type);

describe('dashboard rules as Sieve', () => {
  test('no rules and no vacation: a script that only keeps', () => {
    expect(types(run(EMPTY_RULES))).toEqual(['keep']);
  });

  test('from contains → folder (created if missing); a non-matching rule does nothing', () => {
    const actions = run(
      rules(
        { field: 'from', contains: 'boss@', action: 'fileinto', argument: 'Work/Boss "VIP"' },
        { field: 'to', contains: 'nobody@', action: 'discard', argument: '' },
      ),
    );
    expect(actions).toEqual([expect.objectContaining({ type: 'fileinto', mailbox: 'Work/Boss "VIP"', create: true })]);
  });

  test('to/cc contains → flag, kept in INBOX flagged; subject with quotes and backslashes matches', () => {
    const actions = run(rules({ field: 'to', contains: 'team@work', action: 'flag', argument: 'ignored' }));
    expect(actions).toEqual([expect.objectContaining({ type: 'keep', flags: ['\\Flagged'] })]);
    const bySubject = run(rules({ field: 'subject', contains: '"numbers" \\ rep', action: 'discard', argument: '' }));
    expect(types(bySubject)).toEqual(['discard']);
  });

  test('forward keeps a copy here (redirect :copy)', () => {
    const actions = run(
      rules({ field: 'from', contains: 'work.example', action: 'forward', argument: 'me@else.example' }),
    );
    expect(types(actions)).toEqual(['redirect', 'keep']);
  });

  test('vacation answers between its dates only, before any rule that discards', () => {
    const state: DashboardRules = {
      vacation: {
        enabled: true,
        subject: 'Away',
        message: 'Back on\n5 January.',
        start: '2026-12-20',
        end: '2027-01-04',
        days: 3,
      },
      rules: [{ field: 'from', contains: 'boss', action: 'discard', argument: '' }],
    };
    const inside = run(state);
    expect(types(inside)).toEqual(['vacation', 'discard']);
    expect(inside[0]).toMatchObject({ subject: 'Away', reason: 'Back on\n5 January.', seconds: 3 * 86_400 });
    expect(types(run(state, new Date('2027-01-05T12:00:00Z')))).toEqual(['discard']);
    expect(types(run(state, new Date('2026-12-19T12:00:00Z')))).toEqual(['discard']);
  });

  test('the form state round-trips through the script; other scripts read as empty', () => {
    const state = checkedRules({
      vacation: { enabled: true, subject: 'Out', message: 'Gone', start: '', end: '', days: 7 },
      rules: [{ field: 'subject', contains: 'x', action: 'fileinto', argument: 'X' }],
    });
    expect(readRules(generateScript(state))).toEqual(state);
    expect(readRules('keep;\n')).toEqual(EMPTY_RULES);
    expect(readRules(undefined)).toEqual(EMPTY_RULES);
  });

  test('bad input is refused with what is wrong', () => {
    const bad: Array<[DashboardRules, RegExp]> = [
      [rules({ field: 'from', contains: '', action: 'discard', argument: '' }), /give the text/],
      [rules({ field: 'from', contains: 'a', action: 'fileinto', argument: ' ' }), /name the folder/],
      [rules({ field: 'from', contains: 'a', action: 'forward', argument: 'not an address' }), /not an email address/],
      [{ ...EMPTY_RULES, vacation: { ...EMPTY_RULES.vacation, enabled: true } }, /Write the message/],
      [
        {
          ...EMPTY_RULES,
          vacation: { enabled: true, subject: '', message: 'm', start: '2027-13-01', end: '', days: 7 },
        },
        /not a date/,
      ],
      [
        {
          ...EMPTY_RULES,
          vacation: { enabled: true, subject: '', message: 'm', start: '2027-02-01', end: '2027-01-01', days: 7 },
        },
        /ends before/,
      ],
      [
        { ...EMPTY_RULES, vacation: { enabled: true, subject: '', message: 'm', start: '', end: '', days: 0 } },
        /1 to 90 days/,
      ],
    ];
    for (const [state, message] of bad) expect(() => checkedRules(state)).toThrow(message);
  });
});
