/**
 * The wire fuzz loop shared by the IMAP, SMTP and POP3 fuzz tests. Sessions are opened in a state the target
 * names (greeting only, logged in, mailbox selected, mail transaction open...), then fuzz lines are sent one at a
 * time. Each line must be answered (any output) or the connection closed within REPLY_MS; when the server stays
 * silent, a probe command is sent and must be answered within REPLY_MS too, else the case is a hang. Sessions end
 * at random, or when the server closes them, and a new one starts in a random state.
 *
 * A case fails the run on: a hang (above), a code bug logged by the server (the global check, test/setup), an
 * uncaught exception (vitest fails the run), heap growth over the run past MAX_HEAP_GROWTH_BYTES, or the server no
 * longer serving a clean session afterwards. The seed, counts and outcomes are printed.
 */
import type { Prng } from '@mailyard/testkit';
import { type Outcome, WireConnection } from './wire.js';

/** A server under load on two shared cores answers a line in milliseconds; seconds mean it is stuck. */
export const REPLY_MS = 5_000;
/** Heap growth allowed over a whole run (servers and client in this process); a leak per case shows as far more. */
export const MAX_HEAP_GROWTH_BYTES = 160 * 1024 * 1024;

export interface SessionState {
  name: string;
  /** Lines (without CRLF) sent in order to reach the state; each must be answered. */
  setup: string[];
}

export interface WireTarget {
  name: string;
  port: number;
  states: SessionState[];
  /** One fuzz line without its CRLF. */
  generate(prng: Prng): Buffer;
  /** A command every state answers (NOOP), with CRLF. */
  probe: string;
  /** The kinds of answer in a piece of output (OK/NO/BAD, 2xx/5xx, +OK/-ERR), counted in the stats. */
  answerKinds(answer: string): string[];
  /** After a line was answered: bytes the session needs next (the end of a DATA transfer), if any. */
  followUp?(answer: string, prng: Prng): Buffer | undefined;
}

export interface FuzzStats {
  seed: number;
  cases: number;
  sessions: number;
  answered: number;
  closedByServer: number;
  probed: number;
  byState: Record<string, number>;
  answers: Record<string, number>;
  bytesSent: number;
  bytesReceived: number;
  heapGrowthMb: number;
  ms: number;
}

export class HangError extends Error {}

interface Session {
  connection: WireConnection;
  state: string;
}

async function openSession(target: WireTarget, prng: Prng): Promise<Session> {
  const connection = await WireConnection.open(target.port);
  const state = prng.pick(target.states);
  if ((await connection.waitPast(0, REPLY_MS)) === 'silent') throw new HangError(`${target.name}: no greeting`);
  for (const line of state.setup) {
    const outcome = await connection.exchange(`${line}\r\n`, REPLY_MS);
    if (outcome === 'silent') throw new HangError(`${target.name}: no answer to setup line ${line}`);
    if (outcome === 'closed') break;
  }
  return { connection, state: state.name };
}

function describeCase(target: WireTarget, seed: number, index: number, state: string, line: Buffer): string {
  return `${target.name} fuzz seed ${seed} case ${index} in state ${state}: line (base64) ${line.toString('base64')} = ${JSON.stringify(line.toString('latin1').slice(0, 300))}`;
}

/** Sends one fuzz line; resolves with what the server did, throwing HangError when it stayed silent. */
async function runCase(
  target: WireTarget,
  session: Session,
  line: Buffer,
  prng: Prng,
  answers: Record<string, number>,
): Promise<Outcome | 'probed'> {
  const { connection } = session;
  const from = connection.received;
  const outcome = await connection.exchange(Buffer.concat([line, Buffer.from('\r\n')]), REPLY_MS);
  // Let the rest of a pipelined answer arrive before it is classified.
  await new Promise((resolve) => setImmediate(resolve));
  for (const kind of target.answerKinds(connection.outputSince(from))) answers[kind] = (answers[kind] ?? 0) + 1;
  if (outcome === 'output') {
    const more = target.followUp?.(connection.outputSince(from), prng);
    if (more !== undefined && (await connection.exchange(more, REPLY_MS)) === 'silent') {
      throw new HangError('no answer to the follow-up bytes');
    }
    return 'output';
  }
  if (outcome === 'closed') return outcome;
  const probe = await connection.exchange(target.probe, REPLY_MS);
  if (probe === 'silent') throw new HangError(`neither the line nor the probe was answered within ${REPLY_MS} ms`);
  return 'probed';
}

export async function runWireFuzz(
  target: WireTarget,
  prng: Prng,
  count: number,
  recentLogs: () => string[],
): Promise<FuzzStats> {
  const started = performance.now();
  const heapBefore = process.memoryUsage().heapUsed;
  const stats: FuzzStats = {
    seed: prng.seed,
    cases: 0,
    sessions: 0,
    answered: 0,
    closedByServer: 0,
    probed: 0,
    byState: {},
    answers: {},
    bytesSent: 0,
    bytesReceived: 0,
    heapGrowthMb: 0,
    ms: 0,
  };
  let session: Session | undefined;
  const received = () => session?.connection.received ?? 0;
  try {
    for (let index = 0; index < count; index++) {
      if (session === undefined || session.connection.closed || prng.chance(0.1)) {
        stats.bytesReceived += received();
        session?.connection.destroy();
        session = await openSession(target, prng);
        stats.sessions++;
      }
      const line = target.generate(prng);
      stats.cases++;
      stats.bytesSent += line.length + 2;
      stats.byState[session.state] = (stats.byState[session.state] ?? 0) + 1;
      let outcome: Outcome | 'probed';
      try {
        outcome = await runCase(target, session, line, prng, stats.answers);
      } catch (err) {
        const logs = recentLogs().slice(-20).join('\n');
        throw new HangError(
          `${describeCase(target, prng.seed, index, session.state, line)}: ${String(err)}\nrecent server log:\n${logs}`,
        );
      }
      if (outcome === 'output') stats.answered++;
      else if (outcome === 'closed') stats.closedByServer++;
      else stats.probed++;
    }
  } finally {
    stats.bytesReceived += received();
    session?.connection.destroy();
  }
  stats.heapGrowthMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e5) / 10;
  stats.ms = Math.round(performance.now() - started);
  console.log(`${target.name} fuzz: ${JSON.stringify(stats)}`);
  return stats;
}

/** Words, numbers and shapes that parsers of line protocols stumble over, shared by the three generators. */
export const HOSTILE_ATOMS = [
  '',
  ' ',
  '  ',
  '\t',
  '0',
  '-1',
  '4294967295',
  '4294967296',
  '99999999999999999999999',
  '1e9',
  'NaN',
  '"',
  '""',
  '"\\"',
  '"\\\\"',
  '\\',
  '(',
  ')',
  '()',
  '[',
  ']',
  '<',
  '>',
  '<>',
  '{',
  '}',
  '*',
  '%',
  ':',
  ';',
  ',',
  '.',
  '..',
  '=',
  '+',
  '~',
  'NIL',
  '\u00e9t\u00e9',
  '\u{1F600}',
  '\x00',
  '\x7f',
  '\xff\xfe',
  'A'.repeat(1000),
];

/** Random bytes that never contain CR or LF (one line), latin1. */
export function lineNoise(prng: Prng, max: number): string {
  const bytes = prng.bytes(prng.int(max + 1));
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a || bytes[i] === 0x0d) bytes[i] = 0x20;
  return bytes.toString('latin1');
}
