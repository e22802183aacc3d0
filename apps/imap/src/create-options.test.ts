import { expect, test } from 'vitest';
import { parseCreateOptions } from './create-options.js';
import type { Token } from './protocol/types.js';

const atom = (value: string): Token => ({ type: 'atom', value, raw: Buffer.from(value) });
const list = (...items: Token[]): Token => ({ type: 'list', items });

test('USE (\\Archive) sets the special use, case-insensitively (RFC 6154 §3)', () => {
  expect(parseCreateOptions(list(atom('USE'), list(atom('\\archive'))))).toEqual({ specialUse: '\\Archive' });
  expect(parseCreateOptions(undefined)).toEqual({});
});

test('an unknown or a second use is NO [USEATTR]; other parameters are BAD', () => {
  expect(() => parseCreateOptions(list(atom('USE'), list(atom('\\Important'))))).toThrow(/special use/);
  expect(() => parseCreateOptions(list(atom('USE'), list(atom('\\Sent'), atom('\\Junk'))))).toThrow(/One special/);
  expect(() => parseCreateOptions(list(atom('USE')))).toThrow(/parameter/);
  expect(() => parseCreateOptions(list(atom('COLOUR'), list()))).toThrow(/parameter/);
  expect(() => parseCreateOptions(atom('USE'))).toThrow(/parameters/);
});
