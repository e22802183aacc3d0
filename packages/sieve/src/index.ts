/**
 * @mailyard/sieve: the Sieve mail filtering language (RFC 5228) with its extensions: a parser, a validator and an
 * interpreter, pure TypeScript without I/O. Another layer stores scripts, runs them at delivery and carries out
 * the outcome; this package only decides it, and composes the vacation reply (reply.ts, RFC 5230 §5) for the
 * caller to queue. vacationDecision (vacation.ts) says whether a reply may go out at all (RFC 5230 §4.5-4.6).
 *
 * Domain and RFCs
 * - RFC 5228 base: require, if/elsif/else, stop, keep, discard, redirect, fileinto; tests address, envelope,
 *   header, exists, size, allof, anyof, not, true, false; comparators i;octet and i;ascii-casemap; match types
 *   :is :contains :matches; encoded-character (§2.4.2.4); implicit keep (§2.10.2); runtime errors (§2.10.6).
 * - RFC 3894 copy, RFC 5232 imap4flags, RFC 5173 body (:raw :content :text), RFC 5229 variables (modifiers and
 *   ${N} match variables), RFC 5230 vacation and RFC 6131 vacation-seconds, RFC 5231 relational with RFC 4790
 *   i;ascii-numeric, RFC 5233 subaddress ("+" separator), RFC 5260 date/currentdate and index, RFC 5490 mailbox
 *   (mailboxexists, fileinto :create), RFC 5429 reject/ereject, RFC 7352 duplicate, draft-ietf-sieve-regex
 *   (:regex, :quoteregex), RFC 6609 include (:personal/:global, :once, :optional, return, global).
 *
 * Flow: compileScript(text) parses (parser.ts, lexer.ts) and validates (validator.ts against grammar.ts), throwing
 * SieveSyntaxError with line and column; runScript(compiled, message, context) returns a SieveOutcome (actions in
 * script order, implicit keep last when it applies, duplicate ids to record, the runtime error if any).
 *
 * Invariants
 * - No I/O and no clock of its own: the message (SieveMessage; RawMessage over raw bytes), the envelope, the
 *   time, folder existence, the duplicate tracker and included scripts all come from the caller (message.ts).
 * - Every run is bounded (limits.ts, one place with reasons): script size, nesting depth, actions, redirects,
 *   include depth and count, interpreter steps, string and variable sizes, regex length. :regex runs on re2js
 *   (RE2, linear time), so no pattern can blow up; backreferences and lookaround are refused at validation.
 * - A runtime error never escapes runScript: the outcome is implicit keep alone with the error recorded.
 * - reject/ereject exclude keep, fileinto, redirect and vacation (RFC 5429 §2, RFC 5230 §4.7): a runtime error.
 * - Duplicate ids are only asked about during a run; the caller records outcome.duplicates after delivery.
 * - Where Pigeonhole and the RFCs differ, the RFCs win; sieve-oracle.test.ts lists each such case.
 *
 * On disk: nothing.
 */

export type {
  DiscardAction,
  DuplicateRecord,
  FileintoAction,
  KeepAction,
  RedirectAction,
  RejectAction,
  SieveAction,
  SieveOutcome,
  VacationAction,
} from './actions.js';
export { DETAIL_SEPARATOR, isValidAddress } from './address.js';
export { checkScript, compileScript, runScript } from './engine.js';
export { type Position, SieveRuntimeError, SieveSyntaxError } from './errors.js';
export { CAPABILITIES } from './grammar.js';
export { DEFAULT_LIMITS, resolveLimits, type SieveLimits } from './limits.js';
export type {
  BodyPart,
  DuplicateTracker,
  ScriptLocation,
  SieveContext,
  SieveEnvelope,
  SieveMessage,
} from './message.js';
export { RawMessage } from './raw-message.js';
export { buildVacationReply, type VacationReply, type VacationReplyInput } from './reply.js';
export { type VacationDecision, vacationDecision } from './vacation.js';
export type { CompiledScript } from './validator.js';
