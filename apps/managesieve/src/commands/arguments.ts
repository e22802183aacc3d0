/** Reading a command's arguments (RFC 5804 §2): strings are UTF-8 (RFC 5804 §4, RFC 5228 §2.2), sizes numbers. */
import { InputSyntaxError } from '@mailyard/errors';
import type { Token } from '../protocol/reader.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Throws InputSyntaxError unless there are between min and max arguments. */
export function arity(args: Token[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const wanted = min === max ? `${min}` : `${min} to ${max}`;
    throw new InputSyntaxError(`Expected ${wanted} argument${max === 1 && min === 1 ? '' : 's'}, got ${args.length}`);
  }
}

export function stringArg(args: Token[], index: number, what: string): string {
  const token = args[index];
  if (token?.kind !== 'string') throw new InputSyntaxError(`Expected a string for the ${what}`);
  try {
    return utf8.decode(token.value);
  } catch {
    throw new InputSyntaxError(`The ${what} is not valid UTF-8`);
  }
}

export function numberArg(args: Token[], index: number, what: string): number {
  const token = args[index];
  if (token?.kind !== 'number') throw new InputSyntaxError(`Expected a number for the ${what}`);
  return token.value;
}
