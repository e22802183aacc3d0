/**
 * Extended SEARCH and SORT results: the `RETURN (...)` options (ESEARCH RFC 4731 §3.1, ESORT RFC 5267 §3.2,
 * SEARCHRES RFC 5182 §2.1, CONTEXT's UPDATE, CONTEXT and PARTIAL, RFC 5267 §4.1 and §4.4) and the `* ESEARCH`
 * reply built from a result. Pure functions: the SEARCH and SORT
 * commands parse with `parseReturn`, run the store, and send what `esearchReply` gives; `savedResult` says
 * what SAVE keeps for `$`.
 */
import { InputSyntaxError } from '@mailyard/errors';
import { imapString, packSet } from './protocol/encode.js';
import type { Token } from './protocol/types.js';

export type ReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE' | 'UPDATE' | 'PARTIAL';

const OPTIONS = new Set<string>(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE', 'UPDATE', 'PARTIAL']);

/** RFC 5267 §4.4 PARTIAL low:high: 1-based positions in the result, both ends included. */
export interface PartialRange {
  low: number;
  high: number;
}

export interface ParsedReturn {
  /** null when the command had no RETURN: answer with the classic `* SEARCH` / `* SORT` line. */
  options: ReadonlySet<ReturnOption> | null;
  /** The range of PARTIAL, when asked. */
  partial?: PartialRange;
  /** The arguments after the RETURN clause. */
  rest: Token[];
}

/** RFC 5267 §4.4: partial-range = nz-number ":" nz-number; a reversed range means the same range. */
function parsePartialRange(token: Token | undefined): PartialRange {
  const match = token?.type === 'atom' ? /^([1-9]\d{0,9}):([1-9]\d{0,9})$/.exec(token.value) : null;
  if (!match) throw new InputSyntaxError('PARTIAL needs a range low:high of positions');
  const a = Number(match[1]);
  const b = Number(match[2]);
  return { low: Math.min(a, b), high: Math.max(a, b) };
}

/**
 * Splits `RETURN (opts)` off the front; `RETURN ()` means `RETURN (ALL)` (RFC 4731 §3.1). CONTEXT is a hint
 * that needs no answer (RFC 5267 §4.1); PARTIAL takes a range and excludes ALL (its point is not to send all).
 */
export function parseReturn(args: Token[]): ParsedReturn {
  const [first, second, ...rest] = args;
  if (first?.type !== 'atom' || first.value.toUpperCase() !== 'RETURN') return { options: null, rest: args };
  if (second?.type !== 'list') throw new InputSyntaxError('RETURN needs a list of options');
  const options = new Set<ReturnOption>();
  let partial: PartialRange | undefined;
  for (let i = 0; i < second.items.length; i++) {
    const item = second.items[i] as Token;
    const name = item.type === 'atom' ? item.value.toUpperCase() : '';
    if (name === 'CONTEXT') continue;
    if (!OPTIONS.has(name)) throw new InputSyntaxError(`Unknown RETURN option ${name || '(list)'}`);
    if (options.has(name as ReturnOption) && (name === 'PARTIAL' || name === 'UPDATE')) {
      throw new InputSyntaxError(`${name} given twice`);
    }
    if (name === 'PARTIAL') partial = parsePartialRange(second.items[++i]);
    options.add(name as ReturnOption);
  }
  if (options.has('PARTIAL') && options.has('ALL')) throw new InputSyntaxError('PARTIAL and ALL exclude each other');
  if (options.size === 0) options.add('ALL');
  return partial ? { options, partial, rest } : { options, rest };
}

/**
 * RFC 5182 §2.1: what SAVE keeps, from the matches (as UIDs, in result order): only the minimum and/or maximum
 * when MIN/MAX are asked without ALL or COUNT, else every match.
 */
export function savedResult(options: ReadonlySet<ReturnOption>, uids: readonly number[], sorted = false): number[] {
  if (options.has('ALL') || options.has('COUNT') || !(options.has('MIN') || options.has('MAX'))) return [...uids];
  if (uids.length === 0) return [];
  const [min, max] = sorted ? [uids[0], uids[uids.length - 1]] : [Math.min(...uids), Math.max(...uids)];
  const kept = new Set<number>();
  if (options.has('MIN')) kept.add(min as number);
  if (options.has('MAX')) kept.add(max as number);
  return [...kept].sort((a, b) => a - b);
}

/** A result list in its order as a sequence-set: ascending runs become ranges, nothing else is reordered. */
export function orderedSet(numbers: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    const start = numbers[i] as number;
    let end = start;
    while (numbers[i + 1] === end + 1) end = numbers[++i] as number;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(',');
}

export interface EsearchInput {
  tag: string;
  /** UID SEARCH / UID SORT: numbers are UIDs and the reply says UID. */
  uid: boolean;
  options: ReadonlySet<ReturnOption>;
  /** Matches as the client numbers them (UIDs or sequence numbers): ascending for SEARCH, sort order for SORT. */
  numbers: readonly number[];
  /** SORT: MIN/MAX are the first/last in sort order and ALL keeps the order (RFC 5267 §3.2). */
  sorted?: boolean;
  /** RFC 7162 §3.1.5: the highest MODSEQ of the reported messages, when the program used MODSEQ. */
  modseq?: number;
  /** RFC 5267 §4.4: the positions PARTIAL asked for. */
  partial?: PartialRange;
}

/** `PARTIAL (low:high set)`, the set in result order, or NIL when no match falls in the range (RFC 5267 §4.4). */
function partialData(range: PartialRange, numbers: readonly number[], sorted: boolean): string {
  const slice = numbers.slice(range.low - 1, range.high);
  const set = slice.length === 0 ? 'NIL' : sorted ? orderedSet(slice) : packSet([...slice].sort((a, b) => a - b));
  return `PARTIAL (${range.low}:${range.high} ${set})`;
}

/**
 * The `ESEARCH ...` untagged reply (without `* `), or null when only SAVE was asked (RFC 5182 §2.1: no ESEARCH
 * then). An empty result reports only COUNT 0 (RFC 4731 §3.1).
 */
export function esearchReply(input: EsearchInput): string | null {
  const { options, numbers } = input;
  if (options.size === 1 && options.has('SAVE')) return null;
  const parts = [`ESEARCH (TAG ${imapString(input.tag)})`];
  if (input.uid) parts.push('UID');
  if (numbers.length > 0) {
    const first = input.sorted ? numbers[0] : Math.min(...numbers);
    const last = input.sorted ? numbers[numbers.length - 1] : Math.max(...numbers);
    if (options.has('MIN')) parts.push(`MIN ${first}`);
    if (options.has('MAX')) parts.push(`MAX ${last}`);
    if (options.has('ALL')) {
      const set = input.sorted ? orderedSet(numbers) : packSet([...numbers].sort((a, b) => a - b));
      parts.push(`ALL ${set}`);
    }
  }
  if (input.partial) parts.push(partialData(input.partial, numbers, input.sorted === true));
  if (options.has('COUNT')) parts.push(`COUNT ${numbers.length}`);
  if (input.modseq !== undefined && numbers.length > 0) parts.push(`MODSEQ ${input.modseq}`);
  return parts.join(' ');
}
