// Every message of the shared mail corpus (../shared/corpus from the repo root): it indexes, every section is the
// right slice of the original bytes, BODYSTRUCTURE sizes and line counts match those slices, and the splitter's
// body ranges agree with mailsplit's (an independent implementation) wherever mailsplit reads the MIME structure.
// Line endings: messages are stored unconverted, so a *.lf.eml is checked against its own bytes.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusMessages } from '@mailyard/testkit';
import { describe, expect, test } from 'vitest';
import { countLines } from './bodystructure.js';
import { paramValue, parseStructured } from './content-params.js';
import { firstField, splitHeaderFields } from './header-block.js';
import { indexMessage } from './index-message.js';
import { type ReferenceSplit, referenceSplit } from './mailsplit-reference.test-support.js';
import { MAX_DEPTH } from './mime-tree.js';
import { getSection } from './section.js';
import type { MimePart } from './types.js';

/** File names of the corpus messages, LF twins included (testkit: skipped locally when absent, a CI failure). */
const paths = new Map(corpusMessages({ withLfTwins: true }).map((file) => [path.basename(file), file]));
const files = [...paths.keys()];

/** A node of the tree and the section names that address its header and body. */
interface Addressed {
  node: MimePart;
  headerSection: string;
  bodySection: string;
  depth: number;
  /** Set inside an encapsulated message: the innermost message/rfc822 part holding it. */
  container?: MimePart;
}

function addressedParts(root: MimePart): Addressed[] {
  const out: Addressed[] = [];
  const visit = (entry: Addressed) => {
    out.push(entry);
    const { node, depth, container } = entry;
    for (const child of node.children) {
      visit({ node: child, headerSection: `${child.path}.MIME`, bodySection: child.path, depth: depth + 1, container });
    }
    if (node.message) {
      const p = node.path || '1';
      const message = node.message;
      visit({
        node: message,
        headerSection: `${p}.HEADER`,
        bodySection: `${p}.TEXT`,
        depth: depth + 1,
        container: node,
      });
    }
  };
  visit({ node: root, headerSection: 'HEADER', bodySection: 'TEXT', depth: 0 });
  return out;
}

function section(raw: Buffer, mime: MimePart, name: string): Buffer {
  const bytes = getSection(raw, mime, name);
  if (!bytes) throw new Error(`section ${name} missing`);
  return bytes;
}

function isLeaf(node: MimePart): boolean {
  return node.children.length === 0 && !node.message;
}

/** BODYSTRUCTURE sizes and line counts against the bytes BODY[section] returns. */
function checkStructure(raw: Buffer, mime: MimePart, structure: unknown, entry: Addressed): void {
  const bs = structure as unknown[];
  const { node } = entry;
  if (node.children.length > 0) {
    node.children.forEach((child, i) => {
      const childEntry = { node: child, headerSection: '', bodySection: child.path, depth: entry.depth + 1 };
      checkStructure(raw, mime, bs[i], childEntry);
    });
    expect(bs[node.children.length]).toBe(node.contentType.split('/')[1]);
    return;
  }
  const body = section(raw, mime, entry.bodySection);
  expect(bs[6], `size of ${entry.bodySection}`).toBe(body.length);
  if (node.contentType === 'message/rfc822') {
    expect(bs[9], `lines of ${entry.bodySection}`).toBe(countLines(body, 0, body.length));
  }
  if (node.message) {
    const p = node.path || '1';
    const inner = { node: node.message, headerSection: '', bodySection: `${p}.TEXT`, depth: entry.depth + 1 };
    checkStructure(raw, mime, bs[8], inner);
  } else if (node.contentType.startsWith('text/')) {
    expect(bs[7], `lines of ${entry.bodySection}`).toBe(countLines(body, 0, body.length));
  }
}

/** Offset of the first delimiter line with transport padding ("--boundary" + spaces), or Infinity. */
function firstPaddedDelimiter(raw: Buffer, parts: Addressed[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const { node } of parts) {
    if (node.children.length === 0) continue;
    const field = firstField(splitHeaderFields(raw, node.headerStart, node.headerEnd), 'content-type');
    const boundary = field && paramValue(parseStructured(field.raw), 'boundary');
    if (!boundary) continue;
    const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const padded = new RegExp(`^--${escaped}[ \\t]+\\r?$`, 'm').exec(
      raw.toString('latin1', node.bodyStart, node.bodyEnd),
    );
    if (padded) first = Math.min(first, node.bodyStart + padded.index);
  }
  return first;
}

/**
 * Why mailsplit may see a part differently, checked on the structure (never on file names): it does not accept
 * transport padding after a delimiter (RFC 2046 §5.1.1 says receivers must), it keeps splitting a non-multipart
 * part that carries a boundary parameter, it does not parse message/rfc822 parts it leaves as attachments (or
 * digest parts without a Content-Type), and it keeps a blank-line-only body's final line ending. An empty part
 * has nothing to compare.
 */
function explained(raw: Buffer, entry: Addressed, paddedAt: number, reference: ReferenceSplit): boolean {
  const { node } = entry;
  if (node.bodyEnd + 2 >= paddedAt || node.bodyEnd === node.headerStart) return true;
  if (entry.depth >= MAX_DEPTH) return true;
  if (entry.container && reference.nodes.get(entry.container.headerStart)?.body) return true;
  const header = raw.toString('latin1', node.headerStart, node.headerEnd);
  return /boundary\s*=/i.test(header);
}

describe.skipIf(files.length === 0)('corpus', () => {
  test('has messages of every category', () => {
    const categories = new Set(files.map((name) => name.split('--')[0]));
    expect(categories.size).toBeGreaterThanOrEqual(15);
  });

  test.each(files)('%s', async (name) => {
    const raw = readFileSync(paths.get(name) as string);
    const indexed = await indexMessage(raw);
    const { mime } = indexed;
    expect(indexed.size).toBe(raw.length);
    expect(getSection(raw, mime, '')?.equals(raw)).toBe(true);

    const header = section(raw, mime, 'HEADER');
    const text = section(raw, mime, 'TEXT');
    expect(Buffer.concat([header, text]).equals(raw)).toBe(true);
    if (mime.bodyStart > mime.headerEnd) expect(header.at(-1)).toBe(0x0a);
    expect(raw.subarray(mime.headerEnd, mime.bodyStart).toString('latin1')).toMatch(/^(\r?\n)?$/);

    const parts = addressedParts(mime);
    for (const entry of parts) {
      const { node } = entry;
      const headerBytes = section(raw, mime, entry.headerSection);
      const bodyBytes = section(raw, mime, entry.bodySection);
      expect(headerBytes.equals(raw.subarray(node.headerStart, node.bodyStart)), entry.headerSection).toBe(true);
      expect(bodyBytes.equals(raw.subarray(node.bodyStart, node.bodyEnd)), entry.bodySection).toBe(true);
      expect(node.headerStart <= node.headerEnd && node.headerEnd <= node.bodyStart).toBe(true);
      expect(node.bodyStart <= node.bodyEnd && node.bodyEnd <= raw.length).toBe(true);
    }
    checkStructure(raw, mime, indexed.bodystructure, parts[0] as Addressed);

    const reference = await referenceSplit(raw);
    if (!reference.complete) {
      console.log(`${name}: mailsplit lost bytes of this message, no cross-check`);
      return;
    }
    const paddedAt = firstPaddedDelimiter(raw, parts);
    let compared = 0;
    for (const entry of parts) {
      const { node } = entry;
      const ref = reference.nodes.get(node.headerStart);
      if (!ref) {
        expect(explained(raw, entry, paddedAt, reference), `no mailsplit node for ${entry.bodySection}`).toBe(true);
        continue;
      }
      expect(ref.bodyStart, `header of ${entry.bodySection}`).toBe(node.bodyStart);
      compared++;
      if (!isLeaf(node)) continue;
      const body = section(raw, mime, entry.bodySection);
      if (!ref.body) {
        const kept = body.length === 0 || ref.multipart || explained(raw, entry, paddedAt, reference);
        expect(kept, `mailsplit gave ${entry.bodySection} no body`).toBe(true);
        continue;
      }
      const refBody = raw.subarray(ref.body.start, ref.body.end);
      const blankLineOnly = body.length === 0 && /^\r?\n$/.test(refBody.toString('latin1'));
      if (!body.equals(refBody) && !blankLineOnly)
        expect(explained(raw, entry, paddedAt, reference), `body of ${entry.bodySection}`).toBe(true);
    }
    expect(compared).toBeGreaterThan(0);
  });
});
