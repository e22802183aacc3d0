// Thread keys for the mail store: messages that share a key belong to one thread. The key is the root of the
// reference chain (RFC 5256 §2.2 REFERENCES: the first message-id of References, else In-Reply-To), or the
// message's own Message-ID for a thread starter, or, for a message without any ids, its base subject.
// Message-ids compare byte for byte (as written, case kept); the subject key is lowercased.

export interface ThreadInput {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  normalizedSubject: string;
}

/** The key that joins this message to its thread; '' when nothing identifies it (no ids, empty subject). */
export function threadKey(input: ThreadInput): string {
  const root = input.references[0] ?? input.inReplyTo ?? input.messageId;
  if (root) return root;
  const subject = input.normalizedSubject.trim().toLowerCase();
  return subject ? `subject:${subject}` : '';
}

/** Contract name of threadKey. */
export const threadId = threadKey;

/**
 * Every message-id the message is linked with (its own, In-Reply-To and References): a store that
 * finds any of them in an existing thread can merge the message (or the threads) there, which threadKey alone
 * cannot do when a parent arrives after its reply.
 */
export function threadLinks(input: ThreadInput): string[] {
  const ids = [input.messageId, input.inReplyTo, ...input.references].filter((id): id is string => Boolean(id));
  return [...new Set(ids)];
}
