/**
 * THREAD algorithms of RFC 5256 over the messages a SEARCH selected, as pure functions: ORDEREDSUBJECT (§3,
 * "THREAD=ORDEREDSUBJECT") and REFERENCES (§3, "THREAD=REFERENCES", steps 1-6 of the algorithm). Sent dates are
 * the Date header, else the internal date (§2.2); equal dates fall back to sequence (= UID) order. Message-IDs
 * compare case-sensitively; subjects are base subjects in i;ascii-casemap form (message-keys.ts).
 */
import type { ThreadNode } from './types.js';

export interface ThreadMessage {
  uid: number;
  /** Sent date in ms (RFC 5256 §2.2). */
  date: number;
  /** Base subject, casemapped. */
  subject: string;
  /** The base subject came from a reply or forward. */
  reply: boolean;
  messageId: string | null;
  /** References, else the first In-Reply-To id. */
  references: string[];
}

function byDate(a: ThreadMessage, b: ThreadMessage): number {
  return a.date - b.date || a.uid - b.uid;
}

/**
 * ORDEREDSUBJECT: one thread per base subject, messages by sent date; the first is the root and every later one
 * is its child (no grandchildren); threads ordered by the sent date of their first message.
 */
export function orderedSubjectThreads(messages: readonly ThreadMessage[]): ThreadNode[] {
  const groups = new Map<string, ThreadMessage[]>();
  for (const m of messages) {
    const group = groups.get(m.subject);
    if (group) group.push(m);
    else groups.set(m.subject, [m]);
  }
  const threads = [...groups.values()].map((group) => group.sort(byDate));
  threads.sort((a, b) => byDate(a[0] as ThreadMessage, b[0] as ThreadMessage));
  return threads.map(([first, ...rest]) => ({
    uid: (first as ThreadMessage).uid,
    children: rest.map((m) => ({ uid: m.uid, children: [] })),
  }));
}

/** A node of the REFERENCES working tree; no message means a dummy (an id referenced but not present). */
interface Container {
  message: ThreadMessage | null;
  parent: Container | null;
  children: Container[];
}

function container(): Container {
  return { message: null, parent: null, children: [] };
}

/** True when making `parent` the parent of `child` would close a loop (parent is child or below it). */
function wouldLoop(parent: Container, child: Container): boolean {
  for (let c: Container | null = parent; c; c = c.parent) if (c === child) return true;
  return false;
}

function link(parent: Container, child: Container): void {
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: Container): void {
  const parent = child.parent;
  if (!parent) return;
  parent.children.splice(parent.children.indexOf(child), 1);
  child.parent = null;
}

/** Step 1: containers linked by Message-ID; duplicates and messages without an id get a container of their own. */
function linkMessages(messages: readonly ThreadMessage[]): Container[] {
  const byId = new Map<string, Container>();
  const all: Container[] = [];
  const lookup = (id: string): Container => {
    let c = byId.get(id);
    if (!c) {
      c = container();
      byId.set(id, c);
      all.push(c);
    }
    return c;
  };
  for (const message of messages) {
    const known = message.messageId ? byId.get(message.messageId) : undefined;
    let current: Container;
    if (message.messageId && !known?.message) current = lookup(message.messageId);
    else {
      // no Message-ID, or a later message repeating one: a unique id of its own (RFC 5256 §3 step 1.A)
      current = container();
      all.push(current);
    }
    current.message = message;
    // (A) each reference is the parent of the next, unless it already has one or that would make a loop
    let previous: Container | null = null;
    for (const id of message.references) {
      const ref = lookup(id);
      if (previous && !ref.parent && !wouldLoop(previous, ref)) link(previous, ref);
      previous = ref;
    }
    // (B) the last reference is the parent of this message (replacing any parent a truncated chain gave it)
    unlink(current);
    if (previous && !wouldLoop(previous, current)) link(previous, current);
  }
  return all.filter((c) => !c.parent);
}

/** Step 3: dummies without children go; a dummy's children move up, except to the root when there are several. */
function prune(list: Container[], atRoot: boolean, parent: Container | null): Container[] {
  if (list.length === 0) return list;
  const out: Container[] = [];
  for (const c of list) {
    c.children = prune(c.children, false, c);
    if (!c.message) {
      if (c.children.length === 0) continue;
      if (!atRoot || c.children.length === 1) {
        for (const child of c.children) child.parent = parent;
        out.push(...c.children);
        continue;
      }
    }
    out.push(c);
  }
  return out;
}

/** The message that stands for a container in date order and subject grouping: itself, or a dummy's first child. */
function representative(c: Container): ThreadMessage {
  return (c.message ?? representative(c.children[0] as Container)) as ThreadMessage;
}

function sortSiblings(list: Container[]): void {
  list.sort((a, b) => byDate(representative(a), representative(b)));
}

/** Step 6 (and step 4 for the dummies' children): every set of siblings by sent date, deepest first. */
function sortTree(list: Container[]): void {
  for (const c of list) if (c.children.length > 0) sortTree(c.children);
  if (list.length > 1) sortSiblings(list);
}

/** Step 5: threads whose roots share a base subject are merged. */
function groupBySubject(roots: Container[]): Container[] {
  const table = new Map<string, Container>();
  for (const c of roots) {
    const subject = representative(c).subject;
    if (!subject) continue;
    const held = table.get(subject);
    if (!held) table.set(subject, c);
    else if (held.message && (!c.message || (held.message.reply && !c.message.reply))) table.set(subject, c);
  }
  const slots: Array<Container | null> = [...roots];
  const slotOf = new Map(roots.map((c, i) => [c, i]));
  roots.forEach((c, i) => {
    const subject = representative(c).subject;
    const held = subject ? table.get(subject) : undefined;
    if (!held || held === c || slots[i] !== c) return;
    slots[i] = null;
    if (!held.message && !c.message) {
      for (const child of c.children) link(held, child);
      return;
    }
    if (!held.message || (c.message?.reply && !held.message.reply)) {
      link(held, c);
      return;
    }
    const dummy = container();
    link(dummy, held);
    link(dummy, c);
    const at = slotOf.get(held) as number;
    slots[at] = dummy;
    slotOf.set(dummy, at);
    table.set(subject, dummy);
  });
  return slots.filter((c): c is Container => c !== null);
}

function toNode(c: Container): ThreadNode {
  return { uid: c.message ? c.message.uid : null, children: c.children.length ? c.children.map(toNode) : [] };
}

/** REFERENCES threading (RFC 5256 §3); a root with uid null is a dummy holding sibling threads. */
export function referencesThreads(messages: readonly ThreadMessage[]): ThreadNode[] {
  let roots = prune(linkMessages(messages), true, null);
  for (const c of roots) if (!c.message) sortTree(c.children);
  sortSiblings(roots);
  roots = groupBySubject(roots);
  sortTree(roots);
  return roots.map(toNode);
}
