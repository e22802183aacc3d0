import { expect, test } from 'vitest';
import { ownFrom } from './sieve-actions.js';

const alice = { address: 'alice@hosted.test', domain: 'hosted.test', mailboxId: 'm1' };

test("a vacation :from is kept only when it is one address in the recipient's domain (RFC 5230 §4.2)", () => {
  expect(ownFrom(null, alice)).toBeNull();
  expect(ownFrom('alice@hosted.test', alice)).toBe('alice@hosted.test');
  expect(ownFrom('"Alice, away" <holiday@Hosted.TEST>', alice)).toBe('"Alice, away" <holiday@Hosted.TEST>');
  expect(ownFrom('ceo@bank.test', alice)).toBeNull();
  // A display name that looks like an address is not the address.
  expect(ownFrom('"x@hosted.test" <ceo@bank.test>', alice)).toBeNull();
  expect(ownFrom('a@hosted.test, b@bank.test', alice)).toBeNull();
  expect(ownFrom('undisclosed:;', alice)).toBeNull();
});
