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
