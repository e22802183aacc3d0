/**
 * The dashboard's simple rules and vacation reply, written as one Sieve script (RFC 5228) named `dashboard`.
 * The form state rides in the script's first line, a `#` comment holding JSON, so the forms can show what was
 * saved; everything after it is ordinary Sieve that any ManageSieve client can read.
 *
 * Generated shape: the vacation reply first (RFC 5230 with :days; between two dates through currentdate, RFC 5260,
 * compared with :value, RFC 5231), so a rule that discards cannot silence it; then one `if` per rule: a from/to
 * address or the subject `:contains` the text, then fileinto :create (RFC 5490, the folder is made if missing),
 * addflag "\\Flagged" (RFC 5232), redirect :copy (RFC 3894, a copy stays here) or discard with stop.
 */
import { ValidationError } from '@mailyard/errors';
import { isValidAddress } from '@mailyard/sieve';

export const DASHBOARD_SCRIPT = 'dashboard';
const HEADER = '# mailyard-dashboard ';

export type RuleField = 'from' | 'to' | 'subject';
export type RuleAction = 'fileinto' | 'flag' | 'forward' | 'discard';

export interface Rule {
  field: RuleField;
  contains: string;
  action: RuleAction;
  /** Folder for fileinto, address for forward; unused otherwise. */
  argument: string;
}

export interface Vacation {
  enabled: boolean;
  subject: string;
  message: string;
  /** YYYY-MM-DD, inclusive, or '' for no bound. */
  start: string;
  end: string;
  /** Answer each sender at most once in this many days (RFC 5230 §4.1). */
  days: number;
}

export interface DashboardRules {
  vacation: Vacation;
  rules: Rule[];
}

/** Bounds of the forms, with their reasons. */
export const RULE_LIMITS = Object.freeze({
  /** Rules per mailbox: a handful is typical; past this, the raw editor (or a ManageSieve client) fits better. */
  maxRules: 50,
  /** Characters of a match text, folder, subject: one header line's worth. */
  maxText: 200,
  /** Characters of the vacation message: a few paragraphs. */
  maxMessage: 4000,
  /** RFC 5230 §4.1: at least 1 day; the engine caps the period at 90 days. */
  maxDays: 90,
});

export const RULE_FIELDS: readonly RuleField[] = ['from', 'to', 'subject'];
export const RULE_ACTIONS: readonly RuleAction[] = ['fileinto', 'flag', 'forward', 'discard'];

export const EMPTY_RULES: DashboardRules = {
  vacation: { enabled: false, subject: '', message: '', start: '', end: '', days: 7 },
  rules: [],
};

/** A Sieve quoted string (RFC 5228 §2.4.2): backslash and double quote escaped; line breaks may stay. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function text(value: string, what: string, max = RULE_LIMITS.maxText): string {
  const trimmed = value.trim();
  if (trimmed.length > max) throw new ValidationError(`The ${what} is over ${max} characters.`);
  return trimmed;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkedVacation(v: Vacation): Vacation {
  const vacation = {
    enabled: v.enabled,
    subject: text(v.subject, 'vacation subject'),
    message: v.message.replace(/\r\n?/g, '\n').trim(),
    start: v.start.trim(),
    end: v.end.trim(),
    days: v.days,
  };
  if (vacation.message.length > RULE_LIMITS.maxMessage) {
    throw new ValidationError(`The vacation message is over ${RULE_LIMITS.maxMessage} characters.`);
  }
  if (!vacation.enabled) return vacation;
  if (!vacation.message) throw new ValidationError('Write the message the vacation reply sends.');
  for (const date of [vacation.start, vacation.end]) {
    if (date && (!DATE.test(date) || Number.isNaN(Date.parse(date)))) {
      throw new ValidationError(`${date} is not a date (YYYY-MM-DD).`);
    }
  }
  if (vacation.start && vacation.end && vacation.end < vacation.start) {
    throw new ValidationError('The vacation ends before it starts.');
  }
  if (!Number.isInteger(vacation.days) || vacation.days < 1 || vacation.days > RULE_LIMITS.maxDays) {
    throw new ValidationError(`Reply once every 1 to ${RULE_LIMITS.maxDays} days.`);
  }
  return vacation;
}

function checkedRule(rule: Rule, index: number): Rule {
  const n = index + 1;
  if (!RULE_FIELDS.includes(rule.field) || !RULE_ACTIONS.includes(rule.action)) {
    throw new ValidationError(`Rule ${n}: choose what to match and what to do.`);
  }
  const contains = text(rule.contains, `text of rule ${n}`);
  if (!contains) throw new ValidationError(`Rule ${n}: give the text to look for.`);
  const argument = text(rule.argument, `folder or address of rule ${n}`);
  if (rule.action === 'fileinto' && !argument) throw new ValidationError(`Rule ${n}: name the folder.`);
  if (rule.action === 'forward' && !isValidAddress(argument)) {
    throw new ValidationError(`Rule ${n}: ${argument || 'the forwarding address'} is not an email address.`);
  }
  const keepsArgument = rule.action === 'fileinto' || rule.action === 'forward';
  return { field: rule.field, contains, action: rule.action, argument: keepsArgument ? argument : '' };
}

/** The checked form state (ValidationError names what is wrong). */
export function checkedRules(input: DashboardRules): DashboardRules {
  if (input.rules.length > RULE_LIMITS.maxRules) {
    throw new ValidationError(`At most ${RULE_LIMITS.maxRules} rules; use the script editor for more.`);
  }
  return { vacation: checkedVacation(input.vacation), rules: input.rules.map(checkedRule) };
}

function test(rule: Rule): string {
  if (rule.field === 'subject') return `header :contains "subject" ${quoted(rule.contains)}`;
  const headers = rule.field === 'from' ? '"from"' : '["to", "cc"]';
  return `address :all :contains ${headers} ${quoted(rule.contains)}`;
}

function action(rule: Rule): string {
  switch (rule.action) {
    case 'fileinto':
      return `fileinto :create ${quoted(rule.argument)};`;
    case 'flag':
      return 'addflag "\\\\Flagged";';
    case 'forward':
      return `redirect :copy ${quoted(rule.argument)};`;
    case 'discard':
      return 'discard;\n  stop;';
  }
}

function vacationBlock(v: Vacation): string[] {
  const reply = `vacation :days ${v.days}${v.subject ? ` :subject ${quoted(v.subject)}` : ''} ${quoted(v.message)};`;
  const bounds = [
    ...(v.start ? [`currentdate :value "ge" "date" ${quoted(v.start)}`] : []),
    ...(v.end ? [`currentdate :value "le" "date" ${quoted(v.end)}`] : []),
  ];
  if (bounds.length === 0) return [reply];
  return [`if allof (${bounds.join(', ')}) {`, `  ${reply}`, '}'];
}

function requirements(state: DashboardRules): string[] {
  const needs = new Set<string>();
  const v = state.vacation;
  if (v.enabled) needs.add('vacation');
  if (v.enabled && (v.start || v.end)) {
    needs.add('date');
    needs.add('relational');
  }
  for (const rule of state.rules) {
    if (rule.action === 'fileinto') needs.add('fileinto').add('mailbox');
    if (rule.action === 'flag') needs.add('imap4flags');
    if (rule.action === 'forward') needs.add('copy');
  }
  return [...needs];
}

/** The Sieve script for checked form state: the JSON header line, require, vacation, then the rules. */
export function generateScript(state: DashboardRules): string {
  const lines = [
    `${HEADER}${JSON.stringify(state)}`,
    '# Written by the Mailyard dashboard; edits here are replaced when the forms are saved.',
  ];
  const needs = requirements(state);
  if (needs.length > 0) lines.push(`require [${needs.map(quoted).join(', ')}];`);
  if (state.vacation.enabled) lines.push(...vacationBlock(state.vacation));
  for (const rule of state.rules) lines.push(`if ${test(rule)} {`, `  ${action(rule)}`, '}');
  return `${lines.join('\n')}\n`;
}

/** The form state saved in a dashboard script, or the empty state for any other script. */
export function readRules(script: string | undefined): DashboardRules {
  if (!script?.startsWith(HEADER)) return EMPTY_RULES;
  const firstLine = script.slice(HEADER.length, script.indexOf('\n'));
  try {
    const parsed = JSON.parse(firstLine) as DashboardRules;
    return { vacation: { ...EMPTY_RULES.vacation, ...parsed.vacation }, rules: parsed.rules ?? [] };
  } catch {
    return EMPTY_RULES;
  }
}
