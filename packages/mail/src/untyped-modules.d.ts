// Type declarations for the dependencies that ship none (only what this package uses).

declare module 'libqp' {
  /** Decodes quoted-printable (RFC 2045 §6.7); raw 8-bit bytes pass through. */
  export function decode(input: string | Buffer): Buffer;
}

declare module 'html-to-text' {
  export interface SelectorDefinition {
    selector: string;
    format?: string;
    options?: Record<string, unknown>;
  }
  export interface HtmlToTextOptions {
    wordwrap?: number | false | null;
    selectors?: SelectorDefinition[];
    limits?: { maxInputLength?: number; maxChildNodes?: number; maxDepth?: number };
  }
  export function compile(options?: HtmlToTextOptions): (html: string) => string;
  export function convert(html: string, options?: HtmlToTextOptions): string;
}

declare module 'mailsplit' {
  import { Transform } from 'node:stream';
  /** A MIME node as mailsplit reports it (only what the cross-check reads). */
  export interface SplitterNode {
    type: 'node';
    contentType: string | false;
    multipart: string | false;
    getHeaders(): Buffer;
  }
  export interface SplitterChunk {
    type: 'data' | 'body';
    value: Buffer;
  }
  export class Splitter extends Transform {
    constructor(options?: { ignoreEmbedded?: boolean; defaultInlineEmbedded?: boolean; maxHeadSize?: number });
  }
}
