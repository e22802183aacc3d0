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
  // (1) tabs and line continuations become a space, runs of spaces collapse to one
  let subject = decodedSubject.replace(/\r?\n/g, '').replace(/[ \t]+/g, ' ');
  for (;;) {
    subject = removeTrailers(subject);
    subject = removeLeaders(subject);
    const wrapped = FWD_WRAPPER.exec(subject);
    if (!wrapped) return subject;
    subject = wrapped[1] ?? '';
  }
}

/** (2) remove all trailing "(fwd)" and whitespace. */
function removeTrailers(subject: string): string {
  let current = subject;
  while (TRAILER.test(current)) current = current.replace(TRAILER, '');
  return current;
}

/** (3) and (4): leaders, and a leading blob when something is left after it, until nothing changes. */
function removeLeaders(subject: string): string {
  let current = subject;
  for (;;) {
    const before = current;
    while (LEADER.test(current)) current = current.replace(LEADER, '');
    const blob = LEADING_BLOB.exec(current);
    if (blob && blob[0].length < current.length) current = current.slice(blob[0].length);
    if (current === before) return current;
  }
}
