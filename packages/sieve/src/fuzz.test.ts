// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Sieve scripts write variables as ${name}
// Fuzz tests (STYLE.md item 8: every parser that reads network input; scripts arrive over ManageSieve and the API).
// Seeded, so a failure replays. Mutated scripts must either compile or fail with a SieveSyntaxError carrying a
// position, and a compiled script must run to an outcome without throwing. :matches is checked against a
// reference built from a JavaScript regex with lazy quantifiers (leftmost, shortest "*" first: RFC 5229 §3.2).
import { describe, expect, test } from 'vitest';
import { compileScript, runScript } from './engine.js';
import { SieveSyntaxError } from './errors.js';
import { MULTIPART, message } from './fixtures.test-support.js';
import { globMatch } from './match.js';
import { RawMessage } from './raw-message.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SEEDS = [
  'require ["fileinto", "variables", "imap4flags"]; if header :matches "subject" "[*] *" { fileinto "${1}"; addflag "x"; } else { keep; }',
  'require ["relational", "comparator-i;ascii-numeric", "date", "index"]; if date :value "ge" :index 1 :zone "+0100" "date" "year" "2020" { discard; stop; }',
  'require ["body", "regex", "envelope", "subaddress"]; if anyof (body :text :contains "x", header :regex "to" "^a(b|c)+$", envelope :detail "to" "tag") { redirect "a@b.c"; }',
  'require ["vacation-seconds", "include", "duplicate", "mailbox"]; if not duplicate :seconds 60 { vacation :seconds 10 :subject "s" :addresses ["a@b.c"] text:\nreason\n..dot\n.\n; } include :optional "x"; if mailboxexists "A" { return; }',
  'require ["encoded-character", "reject"]; /* c */ if size :over 1K { reject "${hex:41}${unicode:263a}"; } # end',
];
const ALPHABET = ' \n"\\[](){};:,#*/0123456789abcdefghijklmnopqrstuvwxyzKMG${}';

function mutate(text: string, rnd: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * (out.length + 1));
    const c = ALPHABET[Math.floor(rnd() * ALPHABET.length)] as string;
    const kind = rnd();
    if (kind < 0.33) out = out.slice(0, at) + out.slice(at + 1);
    else if (kind < 0.66) out = out.slice(0, at) + c + out.slice(at);
    else if (kind < 0.9) out = out.slice(0, at) + c + out.slice(at + 1);
    else out = out.slice(0, at);
  }
  return out;
}

describe('fuzz', () => {
  test('mutated scripts compile or fail with a positioned SieveSyntaxError; compiled ones run', () => {
    const rnd = random(17);
    const raws = [new RawMessage(message()), new RawMessage(MULTIPART)];
    let compiled = 0;
    for (let i = 0; i < 4000; i++) {
      const script = mutate(SEEDS[i % SEEDS.length] as string, rnd);
      let program: ReturnType<typeof compileScript>;
      try {
        program = compileScript(script);
      } catch (err) {
        expect(err, script).toBeInstanceOf(SieveSyntaxError);
        const { line, column } = err as SieveSyntaxError;
        expect(line, script).toBeGreaterThanOrEqual(1);
        expect(column, script).toBeGreaterThanOrEqual(1);
        continue;
      }
      compiled++;
      const outcome = runScript(program, raws[i % 2] as RawMessage, {
        envelope: { from: 'a@b.c', to: 'd+tag@e.f' },
        resolveScript: () => script,
      });
      expect(outcome.actions.length, script).toBeGreaterThanOrEqual(outcome.error ? 1 : 0);
    }
    expect(compiled).toBeGreaterThan(100);
  });

  test(':matches agrees with a lazy-quantifier regex on captures', () => {
    const rnd = random(5228);
    const pick = (chars: string, max: number) =>
      Array.from({ length: Math.floor(rnd() * (max + 1)) }, () => chars[Math.floor(rnd() * chars.length)]).join('');
    for (let i = 0; i < 5000; i++) {
      const key = pick('ab*?\\', 6);
      const value = pick('ab*?\\', 8);
      let source = '^';
      for (let j = 0; j < key.length; j++) {
        const c = key[j] as string;
        if (c === '\\' && j + 1 < key.length) source += `\\${key[++j]}`.replace('\\a', 'a').replace('\\b', 'b');
        else if (c === '*') source += '([\\s\\S]*?)';
        else if (c === '?') source += '([\\s\\S])';
        else source += c.replace(/[\\*?]/, '\\$&');
      }
      const expected = new RegExp(`${source}$`).exec(value);
      const actual = globMatch('i;octet', value, key, () => {});
      expect(actual, `${key} on ${value}`).toEqual(expected ? [...expected] : null);
    }
  });
});
