/**
 * Flags in the words of the file formats. Maildir (cr.yp.to/proto/maildir.html) puts them after `:2,` in the file
 * name as letters in ASCII order: D draft, F flagged, P passed (forwarded, the $Forwarded keyword), R replied,
 * S seen, T trashed (\Deleted); Dovecot adds lowercase letters a-z for keywords, numbered in the folder's
 * `dovecot-keywords` file. mbox keeps them in the Status (R read, O old) and X-Status (A answered, F flagged,
 * T draft, D deleted) header fields that mutt, Thunderbird and Dovecot read, and keywords in X-Keywords.
 */

const MAILDIR_LETTERS: Array<[string, string]> = [
  ['D', '\\Draft'],
  ['F', '\\Flagged'],
  ['P', '$Forwarded'],
  ['R', '\\Answered'],
  ['S', '\\Seen'],
  ['T', '\\Deleted'],
];

const KEYWORD_LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** The `:2,` part of a Maildir file name; keywords get letters from `keywords` (extended as needed, at most 26). */
export function maildirInfo(flags: string[], keywords: string[]): string {
  const set = new Set(flags);
  let letters = '';
  for (const [letter, flag] of MAILDIR_LETTERS) if (set.has(flag)) letters += letter;
  for (const flag of flags) {
    if (flag.startsWith('\\') || flag === '$Forwarded') continue;
    let index = keywords.indexOf(flag);
    if (index < 0 && keywords.length < KEYWORD_LETTERS.length) index = keywords.push(flag) - 1;
    if (index >= 0) letters += KEYWORD_LETTERS[index];
  }
  const keywordPart = [...letters].filter((c) => c >= 'a').sort();
  return `:2,${[...letters].filter((c) => c < 'a').join('')}${keywordPart.join('')}`;
}

/** Flags from a Maildir file name (`...:2,FRSab`), keyword letters looked up in the folder's keyword list. */
export function flagsFromMaildirName(name: string, keywords: string[]): string[] {
  const at = name.lastIndexOf(':2,');
  // Windows-safe writers (and some tools) use '!' or ';' in place of ':'.
  const alt = at < 0 ? Math.max(name.lastIndexOf('!2,'), name.lastIndexOf(';2,')) : at;
  if (alt < 0) return [];
  const flags: string[] = [];
  for (const letter of name.slice(alt + 3)) {
    const system = MAILDIR_LETTERS.find(([l]) => l === letter)?.[1];
    if (system) flags.push(system);
    else if (letter >= 'a' && letter <= 'z') {
      const keyword = keywords[letter.charCodeAt(0) - 97];
      if (keyword) flags.push(keyword);
    }
  }
  return flags;
}

/** Dovecot's `dovecot-keywords`: lines of `<number> <keyword>`. */
export function parseDovecotKeywords(text: string): string[] {
  const keywords: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\S+)/.exec(line);
    if (match) keywords[Number(match[1])] = match[2] as string;
  }
  return keywords;
}

export function formatDovecotKeywords(keywords: string[]): string {
  return keywords.map((keyword, i) => `${i} ${keyword}\n`).join('');
}

/** Status, X-Status and X-Keywords values for an mbox message ('' when a field has nothing to say). */
export function mboxStatusFields(flags: string[]): { status: string; xStatus: string; keywords: string[] } {
  const set = new Set(flags);
  const status = `${set.has('\\Seen') ? 'R' : ''}O`;
  let xStatus = '';
  if (set.has('\\Answered')) xStatus += 'A';
  if (set.has('\\Flagged')) xStatus += 'F';
  if (set.has('\\Draft')) xStatus += 'T';
  if (set.has('\\Deleted')) xStatus += 'D';
  const keywords = flags.filter((f) => !f.startsWith('\\'));
  return { status, xStatus, keywords };
}

/** Flags from mbox Status / X-Status / X-Keywords values (any may be missing). */
export function flagsFromMboxFields(status: string, xStatus: string, keywords: string): string[] {
  const flags: string[] = [];
  if (status.includes('R')) flags.push('\\Seen');
  if (xStatus.includes('A')) flags.push('\\Answered');
  if (xStatus.includes('F')) flags.push('\\Flagged');
  if (xStatus.includes('T')) flags.push('\\Draft');
  if (xStatus.includes('D')) flags.push('\\Deleted');
  for (const keyword of keywords.split(/[\s,]+/)) if (keyword && !keyword.startsWith('\\')) flags.push(keyword);
  return flags;
}
