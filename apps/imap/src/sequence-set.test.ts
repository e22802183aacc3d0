import { InputSyntaxError } from '@mailyard/errors';
import { expect, test } from 'vitest';
import { resolveSet } from './sequence-set.js';

const uids = [3, 7, 8, 12, 20];

test('message numbers: one range is the slice of the view, in either order and with *', () => {
  expect(resolveSet('1:*', uids, false)).toEqual(uids);
  expect(resolveSet('2:4', uids, false)).toEqual([7, 8, 12]);
  expect(resolveSet('4:2', uids, false)).toEqual([7, 8, 12]);
  expect(resolveSet('*', uids, false)).toEqual([20]);
  expect(resolveSet('*:4', uids, false)).toEqual([12, 20]);
  expect(resolveSet('1:*', [], false)).toEqual([]);
});

test('message numbers: several ranges are merged, ascending and without repeats', () => {
  expect(resolveSet('5,1:2,2', uids, false)).toEqual([3, 7, 20]);
});

test('message numbers past the view are BAD; UIDs that do not exist are left out', () => {
  expect(() => resolveSet('1:6', uids, false)).toThrow(InputSyntaxError);
  expect(() => resolveSet('2,9', uids, false)).toThrow(InputSyntaxError);
  expect(resolveSet('5:12,100', uids, true)).toEqual([7, 8, 12]);
});
