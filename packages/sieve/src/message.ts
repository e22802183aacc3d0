// What a Sieve run may read and ask: the message (headers, size, body), the SMTP envelope, the clock, the user's
// folders, the duplicate tracker and the script store. All are injected, so the engine itself does no I/O.
// raw-message.ts implements SieveMessage over raw RFC 5322 bytes with @mailyard/mail.

/** One MIME part as the body test sees it (RFC 5173 §5). */
export interface BodyPart {
  /** Lowercased "type/subtype". */
  contentType: string;
  /** What :content compares (RFC 5173 §5.2): a leaf's decoded body (transfer encoding undone, and for text
   *  parts the charset too); a multipart's prologue and epilogue. */
  text: string;
  /** What :text compares: a text part as plain text (text/html converted), null for anything else. */
  plainText: string | null;
}

export interface SieveMessage {
  /** Size in octets (RFC 5228 §5.9). */
  readonly size: number;
  /** Every field with this (lowercased) name, in order: unfolded, RFC 2047 decoded (RFC 5228 §2.7.2). */
  header(name: string): string[];
  /** The same fields unfolded but not decoded, for address parsing (RFC 5228 §5.1). */
  rawHeader(name: string): string[];
  /** The body after the header, undecoded (RFC 5173 :raw). */
  rawBody(): string;
  /** Every MIME part in document order, multiparts included (RFC 5173 :content and :text). */
  bodyParts(): BodyPart[];
}

/** The SMTP envelope (RFC 5228 §5.4): "" for the null reverse-path. */
export interface SieveEnvelope {
  from: string;
  to: string;
  /** The authenticated sender (RFC 5228 §5.4 "auth"), when known. */
  auth?: string | null;
}

/** RFC 7352: remembers message ids; the interpreter only asks, the caller records after delivery. */
export interface DuplicateTracker {
  /** True when this key was recorded and has not expired. */
  seen(key: string): boolean;
}

export type ScriptLocation = 'personal' | 'global';

export interface SieveContext {
  envelope: SieveEnvelope;
  /** The current time for currentdate and date defaults (RFC 5260 §5). */
  now?: Date;
  /** The local time zone, "+hhmm", used when a date test names no zone (RFC 5260 §4.1); default "+0000". */
  zone?: string;
  /** RFC 5490 mailboxexists; when absent every folder is taken not to exist. */
  mailboxExists?(name: string): boolean;
  duplicates?: DuplicateTracker;
  /** RFC 6609: the text of a script by name, or null when there is none. */
  resolveScript?(name: string, location: ScriptLocation): string | null;
}
