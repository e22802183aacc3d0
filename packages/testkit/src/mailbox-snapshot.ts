/**
 * A mailbox's whole content in a form tests compare with toEqual: every message of every folder, in folder then
 * UID order, with its bytes, flags and keywords (sorted, less the session-only \Recent) and internal date in
 * milliseconds. Import, export, backup and restore tests take one before and one after.
 */

/** The part of a mailbox session the snapshot reads (@mailyard/mailstore's MailboxSession has it). */
export interface SnapshotSource {
  listFolders(): Array<{ path: string }>;
  listMessages(folder: string): Array<{ uid: number; flags: string[]; internalDate: Date }>;
  getRaw(folder: string, uid: number): Buffer | null;
}

export interface MessageSnapshot {
  folder: string;
  raw: Buffer;
  flags: string[];
  internalDate: number;
}

export function mailboxSnapshot(session: SnapshotSource): MessageSnapshot[] {
  return session.listFolders().flatMap((folder) =>
    session.listMessages(folder.path).map((m) => ({
      folder: folder.path,
      raw: session.getRaw(folder.path, m.uid) ?? Buffer.alloc(0),
      flags: m.flags.filter((f) => f !== '\\Recent').sort(),
      internalDate: m.internalDate.getTime(),
    })),
  );
}
