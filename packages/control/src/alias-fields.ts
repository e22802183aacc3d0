/**
 * Checks of the alias fields beside the name: labels (short tags to group and filter aliases) and the RCPT TO answer
 * of a disabled alias.
 */
import { ValidationError } from '@mailyard/errors';
import type { DisabledAnswer } from './types.js';

export const ALIAS_LABEL_LIMITS = {
  /** Labels per alias: a handful groups aliases; more is a description. */
  count: 20,
  /** Characters per label. */
  length: 50,
} as const;

// Letters, digits and a few joiners; no spaces or commas, so a label reads the same in a list, a query or a form.
const LABEL = /^[\p{L}\p{N}][\p{L}\p{N}._:/-]*$/u;

/** Labels trimmed, lowercased and deduplicated in their first order; ValidationError for a bad one or too many. */
export function normalizeLabels(labels: readonly string[]): string[] {
  const normalized = [...new Set(labels.map((label) => label.trim().toLowerCase()))];
  if (normalized.length > ALIAS_LABEL_LIMITS.count) {
    throw new ValidationError(`at most ${ALIAS_LABEL_LIMITS.count} labels`, 'labels');
  }
  for (const label of normalized) {
    if (label.length === 0 || label.length > ALIAS_LABEL_LIMITS.length || !LABEL.test(label)) {
      throw new ValidationError(
        `invalid label "${label}": 1-${ALIAS_LABEL_LIMITS.length} letters, digits and . _ : / -`,
        'labels',
      );
    }
  }
  return normalized;
}

export const DISABLED_ANSWERS: readonly DisabledAnswer[] = [250, 421, 550];

export function checkedDisabledAnswer(code: number): DisabledAnswer {
  if (!(DISABLED_ANSWERS as readonly number[]).includes(code)) {
    throw new ValidationError('error_code_if_disabled must be 250, 421 or 550', 'errorCodeIfDisabled');
  }
  return code as DisabledAnswer;
}
