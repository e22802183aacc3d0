/** What moves between a mailbox and a file: one message with its folder, flags and internal date. */
export interface TransferMessage {
  /** Folder path in the store's words ('/' separated, INBOX for the inbox). */
  folder: string;
  /** The message bytes exactly as stored. */
  raw: Buffer;
  /** System flags (\\Seen ...) and keywords together, as the store keeps them. */
  flags: string[];
  internalDate: Date;
  /** Where it came from, for the import summary (a file name, `mbox message 12`, ...). */
  source: string;
}

/** A message a reader could not turn into a TransferMessage, with the reason; the import goes on. */
export interface UnreadableMessage {
  source: string;
  reason: string;
}

export type ReadItem = TransferMessage | UnreadableMessage;

export function isUnreadable(item: ReadItem): item is UnreadableMessage {
  return 'reason' in item;
}

/** Called after each message with running totals; the CLI draws its progress bar from it. */
export type ProgressCallback = (progress: {
  messages: number;
  bytes: number;
  total?: number;
  /** An import's messages stored and duplicates skipped so far. */
  imported?: number;
  duplicates?: number;
}) => void;
