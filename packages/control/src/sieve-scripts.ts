/**
 * Rules for stored Sieve scripts, shared by every ControlStore backend and by the ManageSieve server (HAVESPACE):
 * what a script name may be (RFC 5804 §1.6), how many scripts a mailbox may keep, and the check every script
 * passes before it is stored: size within the engine's limit, then parsed and validated by @mailyard/sieve
 * (required extensions included), so a stored script always compiles and the MX never meets a broken one.
 */
import { QuotaExceededError, ValidationError } from '@mailyard/errors';
import { compileScript, DEFAULT_LIMITS } from '@mailyard/sieve';

/** Limits of script storage, with their reasons (the script's own limits are the engine's, @mailyard/sieve). */
export const SIEVE_STORAGE_LIMITS = Object.freeze({
  /** Scripts per mailbox. People keep a handful (a filter set, a vacation, a backup); this bounds a row scan. */
  maxScripts: 32,
  /** Characters of a script name. RFC 5804 §1.6 asks servers to allow at least 128 octets; names are labels. */
  maxNameLength: 128,
  /** Bytes of one script: the engine's own limit, so a stored script is never refused at delivery for size. */
  maxScriptBytes: DEFAULT_LIMITS.maxScriptBytes,
});

/**
 * RFC 5804 §1.6: a script name is a non-empty UTF-8 string without control characters (0000-001F, 007F-009F),
 * LINE SEPARATOR (2028) or PARAGRAPH SEPARATOR (2029). Names are compared as they are (case matters).
 */
function isForbiddenNameChar(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

/** The name as it will be stored; ValidationError when RFC 5804 §1.6 or the length limit refuses it. */
export function checkedScriptName(name: string): string {
  const normalized = name.normalize('NFC');
  if (normalized.length === 0) throw new ValidationError('a script name cannot be empty', 'name');
  if (normalized.length > SIEVE_STORAGE_LIMITS.maxNameLength) {
    throw new ValidationError(`a script name has at most ${SIEVE_STORAGE_LIMITS.maxNameLength} characters`, 'name');
  }
  if ([...normalized].some((char) => isForbiddenNameChar(char.codePointAt(0) ?? 0))) {
    throw new ValidationError('a script name cannot contain control or line separator characters', 'name');
  }
  return normalized;
}

/** QuotaExceededError with RFC 5804 §1.3's response code when a script of `bytes` bytes cannot be stored. */
export function checkScriptSize(bytes: number): void {
  if (bytes > SIEVE_STORAGE_LIMITS.maxScriptBytes) {
    throw new QuotaExceededError(
      `the script is ${bytes} bytes, over the limit of ${SIEVE_STORAGE_LIMITS.maxScriptBytes}`,
      { code: 'QUOTA/MAXSIZE' },
    );
  }
}

/** QuotaExceededError when a mailbox holding `count` scripts cannot take another one. */
export function checkScriptCount(count: number): void {
  if (count >= SIEVE_STORAGE_LIMITS.maxScripts) {
    throw new QuotaExceededError(`a mailbox keeps at most ${SIEVE_STORAGE_LIMITS.maxScripts} scripts`, {
      code: 'QUOTA/MAXSCRIPTS',
    });
  }
}

/**
 * Size, then syntax and validation (RFC 5228 §3.2 require included). Throws QuotaExceededError over the size
 * limit and SieveSyntaxError (line and column) for a script that does not compile.
 */
export function checkScriptContent(content: string): void {
  checkScriptSize(Buffer.byteLength(content, 'utf8'));
  compileScript(content);
}
