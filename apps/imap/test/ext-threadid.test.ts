/**
 * THREADID (RFC 8474 §5.2) against THREAD=REFERENCES (RFC 5256 §3) on the wire: which messages share a THREADID,
 * and which messages THREAD puts in one thread (one top-level list of its reply).
 *
 * They agree wherever the links are message ids (References, In-Reply-To, Message-ID), whatever order the
 * messages arrive in: the store gives a message the thread of any id it is linked with, and remembers every id
 * it names, so a parent arriving after its replies, or siblings of a parent that never arrived, join one thread.
 *
 * They differ, by design, in two cases, because a THREADID is given once at delivery and never changes (an RFC
 * 8474 object id is immutable), while THREAD recomputes its trees from the messages a command selects:
 * - subject-only links: THREAD=REFERENCES step 5 merges threads whose roots share a base subject ("Re: Lunch"
 *   without In-Reply-To joins "Lunch"); THREADID follows message ids only.
 * - a later message whose References name two existing threads: THREAD links them into one tree (step 1A);
 *   THREADID cannot merge the two after the fact, so the new message joins the first and the second stays apart.
 * And a THREADID spans folders, while THREAD sees only the selected folder (and only the messages its search
 * program selects), so a thread split across folders is several THREAD trees with one THREADID.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let user: TestUser;
let c: WireClient;

function mail(headers: string[]): Buffer {
  return Buffer.from(`${[...headers, 'From: a@x.test', ''].join('\r\n')}\r\nbody\r\n`);
}

/** Folder -> messages in arrival order; the test names them by their Message-ID's local part. */
const FOLDERS: Record<string, string[][]> = {
  Agree: [
    ['Message-ID: <p1@x>', 'Subject: Plan'],
    ['Message-ID: <p2@x>', 'In-Reply-To: <p1@x>', 'Subject: Re: Plan'],
    ['Message-ID: <p3@x>', 'References: <p1@x> <p2@x>', 'Subject: Re: Plan'],
    // a reply arriving before its parent
    ['Message-ID: <q2@x>', 'In-Reply-To: <q1@x>', 'Subject: Re: Trip'],
    ['Message-ID: <q1@x>', 'Subject: Trip'],
    // siblings whose parent never arrives (THREAD: a dummy root)
    ['Message-ID: <r2@x>', 'References: <r1@x>', 'Subject: Re: Gone'],
    ['Message-ID: <r3@x>', 'References: <r1@x>', 'Subject: Re: Gone'],
    ['Message-ID: <s1@x>', 'Subject: Alone'],
    // a reply that quotes a chain with a missing middle message
    ['Message-ID: <p5@x>', 'References: <p1@x> <p4@x>', 'Subject: Re: Plan'],
  ],
  Differ: [
    ['Message-ID: <d1@x>', 'Subject: Lunch'],
    ['Message-ID: <d2@x>', 'Subject: Re: Lunch'],
    ['Message-ID: <e1@x>', 'Subject: Alpha'],
    ['Message-ID: <f1@x>', 'Subject: Beta'],
    ['Message-ID: <g1@x>', 'References: <e1@x> <f1@x>', 'Subject: Re: Beta'],
  ],
};

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('threadid');
  const s = await h.mailstore.open(user.mailboxId, user.password);
  let day = 1;
  for (const [folder, messages] of Object.entries(FOLDERS)) {
    s.createFolder(folder);
    for (const headers of messages) {
      const date = new Date(Date.UTC(2026, 0, day++));
      await s.append(folder, mail([...headers, `Date: ${date.toUTCString()}`]), { internalDate: date });
    }
  }
  s.close();
  c = await loginWire(h.port, user.address, user.password);
});

afterAll(async () => {
  c?.close();
  await h?.close();
});

/** The top-level lists of a `* THREAD` line, each as the sorted set of its UIDs. */
function threadGroups(line: string): number[][] {
  const groups: number[][] = [];
  let depth = 0;
  let current = '';
  for (const ch of line.replace(/^\* THREAD ?/, '')) {
    if (ch === '(') depth++;
    if (depth > 0) current += ch;
    if (ch === ')' && --depth === 0) {
      groups.push((current.match(/\d+/g) ?? []).map(Number).sort((a, b) => a - b));
      current = '';
    }
  }
  return normalise(groups);
}

function normalise(groups: number[][]): number[][] {
  return groups.map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => (a[0] as number) - (b[0] as number));
}

/** UIDs grouped by the THREADID that UID FETCH reports. */
async function threadIdGroups(tag: string): Promise<number[][]> {
  const reply = await c.command(tag, 'UID FETCH 1:* (THREADID)');
  const byId = new Map<string, number[]>();
  for (const m of reply.matchAll(
    /^\* \d+ FETCH \((?:UID (\d+) THREADID \(([^)]+)\)|THREADID \(([^)]+)\) UID (\d+))\)/gm,
  )) {
    const uid = Number(m[1] ?? m[4]);
    const id = (m[2] ?? m[3]) as string;
    byId.set(id, [...(byId.get(id) ?? []), uid]);
  }
  return normalise([...byId.values()]);
}

async function threadReply(tag: string): Promise<number[][]> {
  const reply = await c.command(tag, 'UID THREAD REFERENCES UTF-8 ALL');
  const line = reply.split('\r\n').find((l) => l.startsWith('* THREAD')) ?? '';
  return threadGroups(line);
}

describe('THREADID and THREAD=REFERENCES', () => {
  test('agree on message-id links: chains, In-Reply-To only, parent after reply, missing parents', async () => {
    expect(await c.command('S1', 'SELECT Agree')).toMatch(/^S1 OK/m);
    const expected = [[1, 2, 3, 9], [4, 5], [6, 7], [8]];
    expect(await threadReply('T1')).toEqual(expected);
    expect(await threadIdGroups('F1')).toEqual(expected);
  });

  test('differ where documented: subject-only links and a late message joining two threads', async () => {
    expect(await c.command('S2', 'SELECT Differ')).toMatch(/^S2 OK/m);
    // THREAD: "Re: Lunch" joins "Lunch" by base subject (step 5); <g1> makes <e1> the parent of <f1> (step 1A).
    expect(await threadReply('T2')).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    // THREADID: message ids only, given once: <g1> joins <e1>'s thread, <f1> keeps its own.
    expect(await threadIdGroups('F2')).toEqual([[1], [2], [3, 5], [4]]);
  });

  test('a THREADID spans folders: a reply copied elsewhere keeps its thread id', async () => {
    expect(await c.command('S3', 'SELECT Agree')).toMatch(/^S3 OK/m);
    expect(await c.command('C1', 'UID COPY 2 Differ')).toMatch(/^C1 OK/m);
    const inAgree = /THREADID \(([^)]+)\)/.exec(await c.command('F3', 'UID FETCH 1 (THREADID)'))?.[1];
    expect(await c.command('S4', 'SELECT Differ')).toMatch(/^S4 OK/m);
    const copied = /THREADID \(([^)]+)\)/.exec(await c.command('F4', 'UID FETCH 6 (THREADID)'))?.[1];
    expect(inAgree).toBeTruthy();
    expect(copied).toBe(inAgree);
    // SEARCH THREADID finds the thread's members of this folder only.
    expect(await c.command('F5', `UID SEARCH THREADID ${inAgree}`)).toMatch(/^\* SEARCH 6\r\n/m);
  });
});
