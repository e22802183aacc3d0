// Base subject for SORT and THREAD (RFC 5256 §2.1), from the already decoded Subject.

// subj-blob = "[" *BLOBCHAR "]" *WSP ; BLOBCHAR = any CHAR except "[" and "]"
const BLOB = String.raw`\[[^[\]]*\][ \t]*`;
// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
const REFWD = String.raw`(?:re|fwd?)[ \t]*(?:${BLOB})?:`;
// subj-leader = (*subj-blob subj-refwd) / WSP
const LEADER = new RegExp(String.raw`^(?:(?:${BLOB})*${REFWD}|[ \t])`, 'i');
const LEADING_BLOB = new RegExp(`^${BLOB}`);
// subj-trailer = "(fwd)" / WSP
const TRAILER = /(?:\(fwd\)|[ \t])$/i;
// subj-fwd = "[fwd:" subject "]"
const FWD_WRAPPER = /^\[fwd:(.*)\]$/is;

/** Steps (2)-(6) of RFC 5256 §2.1 on a subject whose encoded words are already decoded (step 1). */
export function baseSubject(decodedSubject: string): string {
  return subjectInfo(decodedSubject).base;
}

export interface SubjectInfo {
  /** RFC 5256 §2.1 base subject (case kept). */
  base: string;
  /**
   * True when extracting the base subject removed a reply or forward marker (subj-refwd, a "(fwd)" trailer or a
   * "[fwd: ...]" wrapper): THREAD=REFERENCES step 5 (RFC 5256 §2.2) treats such a message as a reply.
   */
  replyOrForward: boolean;
}

/** The base subject and whether it came from a reply or forward (RFC 5256 §2.1, the note after step 6). */
export function subjectInfo(decodedSubject: string): SubjectInfo {
  // (1) tabs and line continuations become a space, runs of spaces collapse to one
  let subject = decodedSubject.replace(/\r?\n/g, '').replace(/[ \t]+/g, ' ');
  const marks = { replyOrForward: false };
  for (;;) {
    subject = removeTrailers(subject, marks);
    subject = removeLeaders(subject, marks);
    const wrapped = FWD_WRAPPER.exec(subject);
    if (!wrapped) return { base: subject, replyOrForward: marks.replyOrForward };
    marks.replyOrForward = true;
    subject = wrapped[1] ?? '';
  }
}

/** (2) remove all trailing "(fwd)" and whitespace. */
function removeTrailers(subject: string, marks: { replyOrForward: boolean }): string {
  let current = subject;
  for (let match = TRAILER.exec(current); match; match = TRAILER.exec(current)) {
    if (match[0] !== ' ' && match[0] !== '\t') marks.replyOrForward = true;
    current = current.slice(0, match.index);
  }
  return current;
}

/** (3) and (4): leaders, and a leading blob when something is left after it, until nothing changes. */
function removeLeaders(subject: string, marks: { replyOrForward: boolean }): string {
  let current = subject;
  for (;;) {
    const before = current;
    for (let match = LEADER.exec(current); match; match = LEADER.exec(current)) {
      if (match[0] !== ' ' && match[0] !== '\t') marks.replyOrForward = true;
      current = current.slice(match[0].length);
    }
    const blob = LEADING_BLOB.exec(current);
    if (blob && blob[0].length < current.length) current = current.slice(blob[0].length);
    if (current === before) return current;
  }
}
