/// <reference path="./untyped-modules.d.ts" />
// Test support: byte ranges of every MIME node as mailsplit (an independent splitter) sees them, to cross-check
// mime-tree.ts. Not part of the package build (see tsconfig.build.json).

import { createRequire } from 'node:module';
import type { SplitterChunk, SplitterNode } from 'mailsplit';

const require = createRequire(import.meta.url);
const { Splitter } = require('mailsplit') as typeof import('mailsplit');

export interface ReferenceNode {
  headerStart: number;
  bodyStart: number;
  /** Range covered by 'body' events; null when mailsplit gave the node no body bytes. */
  body: { start: number; end: number } | null;
  contentType: string;
  multipart: boolean;
}

export interface ReferenceSplit {
  nodes: Map<number, ReferenceNode>;
  /** True when mailsplit's output accounts for every input byte (it loses bytes on some broken input). */
  complete: boolean;
}

/** Runs mailsplit over the message and records node offsets by header start. */
export function referenceSplit(raw: Buffer): Promise<ReferenceSplit> {
  return new Promise((resolve, reject) => {
    const splitter = new Splitter({ defaultInlineEmbedded: true });
    const nodes = new Map<number, ReferenceNode>();
    let cursor = 0;
    let current: ReferenceNode | null = null;
    splitter.on('data', (event: SplitterNode | SplitterChunk) => {
      if (event.type === 'node') {
        const header = event.getHeaders();
        current = {
          headerStart: cursor,
          bodyStart: cursor + header.length,
          body: null,
          contentType: event.contentType || '',
          multipart: Boolean(event.multipart),
        };
        nodes.set(cursor, current);
        cursor += header.length;
        return;
      }
      if (event.type === 'body' && current) {
        current.body = { start: current.body?.start ?? cursor, end: cursor + event.value.length };
      }
      cursor += event.value.length;
    });
    splitter.on('end', () => resolve({ nodes, complete: cursor === raw.length }));
    splitter.on('error', reject);
    splitter.end(raw);
  });
}
