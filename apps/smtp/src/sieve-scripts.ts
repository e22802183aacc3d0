/**
 * Where delivery gets Sieve scripts and its memory of replies from: two small interfaces the SMTP processes are
 * given through their deps (SmtpDeps.sieve), and a per-process cache of compiled scripts.
 *
 * - SieveScriptSource: a recipient's active script (RFC 5804 §1.3: one active script per user) and, for include
 *   (RFC 6609 :personal), the user's other scripts by name. Scripts live in the control store (user settings,
 *   encrypted at rest with it), never in the mailbox: the MX must read them without the mailbox password.
 * - SieveTracker: "this happened, remember it until then": vacation's once per sender per period (RFC 5230 §4.2,
 *   RFC 6131) and the duplicate test's message ids (RFC 7352 §3). Kept in the control store with an expiry.
 *
 * The compiled form of a script is cached by the SHA-256 of its text, so a script changed through ManageSieve or
 * the API is compiled anew on its next delivery and an unchanged one never is; and by the stored script object,
 * which the control store hands out again while the script is unchanged, so a delivery does not even hash it.
 */
import { createHash } from 'node:crypto';
import type { ControlStore } from '@mailyard/control';
import { type CompiledScript, compileScript, SieveSyntaxError } from '@mailyard/sieve';

/** Whose script runs: an alias with a mailbox. */
export interface SieveOwner {
  aliasId: string;
  mailboxId: string;
  /** The address as given in RCPT TO. */
  address: string;
}

export interface StoredScript {
  name: string;
  content: string;
}

export interface SieveScriptSource {
  /** The owner's active script, or null when none is active. */
  activeScript(owner: SieveOwner): Promise<StoredScript | null>;
  /** Every script of the owner (for include :personal); only asked when the active script uses include. */
  listScripts(owner: SieveOwner): Promise<StoredScript[]>;
}

export interface SieveTracker {
  /**
   * Records `key` for `ownerId` until `expiresAt` unless an unexpired record of it exists; true when it recorded
   * (the first time in the period), false when one was there. Atomic: two deliveries at once record it once.
   */
  claim(ownerId: string, key: string, expiresAt: Date): Promise<boolean>;
  /** Which of `keys` have an unexpired record for `ownerId`. */
  seen(ownerId: string, keys: string[]): Promise<Set<string>>;
}

export interface SieveDeps {
  scripts: SieveScriptSource;
  tracker: SieveTracker;
}

/** Scripts from the control store (table sieve_scripts, per alias): one indexed read of the active one. */
export function controlSieveScripts(
  control: Pick<ControlStore, 'getActiveSieveScript' | 'listSieveScripts'>,
): SieveScriptSource {
  return {
    activeScript: (owner) => control.getActiveSieveScript(owner.aliasId),
    listScripts: (owner) => control.listSieveScripts(owner.aliasId),
  };
}

/** Scripts and marks of the control store: what every SMTP process uses unless its deps say otherwise. */
export function controlSieve(control: ControlStore): SieveDeps {
  return { scripts: controlSieveScripts(control), tracker: controlSieveTracker(control) };
}

/** The tracker over the control store's Sieve marks (table sieve_marks), keyed by mailbox id. */
export function controlSieveTracker(control: Pick<ControlStore, 'claimSieveMark' | 'sieveMarksSeen'>): SieveTracker {
  return {
    claim: (ownerId, key, expiresAt) => control.claimSieveMark(ownerId, key, expiresAt),
    seen: (ownerId, keys) => control.sieveMarksSeen(ownerId, keys),
  };
}

/** Compiled scripts kept per process: a few hundred active users' scripts, each a few KiB of syntax tree. */
const MAX_CACHED_SCRIPTS = 512;

export type CompileResult = { script: CompiledScript } | { error: SieveSyntaxError };

/** Compiles once per distinct script text; the least recently used entry goes first past MAX_CACHED_SCRIPTS. */
export class CompiledScriptCache {
  readonly #entries = new Map<string, CompileResult>();
  readonly #byScript = new WeakMap<StoredScript, CompileResult>();

  compile(stored: StoredScript): CompileResult {
    let result = this.#byScript.get(stored);
    if (!result) {
      result = this.#compileText(stored.content);
      this.#byScript.set(stored, result);
    }
    return result;
  }

  #compileText(content: string): CompileResult {
    const key = createHash('sha256').update(content).digest('base64');
    const cached = this.#entries.get(key);
    if (cached) {
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const result = compileOrError(content);
    this.#entries.set(key, result);
    if (this.#entries.size > MAX_CACHED_SCRIPTS) this.#entries.delete(this.#entries.keys().next().value as string);
    return result;
  }
}

function compileOrError(content: string): CompileResult {
  try {
    return { script: compileScript(content) };
  } catch (err) {
    if (err instanceof SieveSyntaxError) return { error: err };
    throw err;
  }
}
