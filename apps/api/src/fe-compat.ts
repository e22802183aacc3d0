/**
 * Forward Email compatibility: request field names and value shapes of Forward Email's API, accepted beside
 * Mailyard's own, per request schema. parseInput applies them before validation, so a route reads one shape.
 * docs/api.md ("Forward Email compatibility") lists every endpoint with what is the same, what is accepted as an
 * alias, what differs and what is not built; keep the two in step.
 *
 * What they do:
 * - rename: Forward Email's name -> ours (e.g. `domain` -> `name` when creating a domain, `group` -> `role`).
 *   When both are sent, ours wins and the alias is dropped.
 * - lists: a field that is a list in our schema also takes one string of items separated by commas, spaces or
 *   line breaks, as Forward Email's `recipients` and `labels` do.
 * - ignore: fields Forward Email requires or sends that mean nothing here (`plan`: Mailyard has no plans), so a
 *   client sending them is not refused.
 */
import type { z } from 'zod';
import { emailCreate } from './routes/email-shapes.js';
import {
  aliasCreate,
  aliasUpdate,
  domainCreate,
  domainUpdate,
  inviteCreate,
  inviteRevoke,
  memberUpdate,
} from './schemas.js';

interface FieldAliases {
  rename?: Record<string, string>;
  lists?: string[];
  ignore?: string[];
}

const rules = new Map<z.ZodType, FieldAliases>([
  [domainCreate, { rename: { domain: 'name' }, ignore: ['plan'] }],
  [domainUpdate, { ignore: ['plan'] }],
  [aliasCreate, { lists: ['recipients', 'labels'] }],
  [aliasUpdate, { lists: ['recipients', 'labels'] }],
  [inviteCreate, { rename: { group: 'role' } }],
  [inviteRevoke, {}],
  [memberUpdate, { rename: { group: 'role' } }],
  [emailCreate, { rename: { replyTo: 'reply_to', inReplyTo: 'in_reply_to' } }],
]);

const SEPARATORS = /[\s,]+/;

function shapeHas(schema: z.ZodType, field: string): boolean {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && field in shape;
}

/** The input with Forward Email's field names and shapes turned into ours (a new object; the input is kept). */
export function fromForwardEmail(schema: z.ZodType, input: unknown): unknown {
  const rule = rules.get(schema);
  if (!rule || typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [theirs, ours] of Object.entries(rule.rename ?? {})) {
    if (!(theirs in out)) continue;
    if (!(ours in out)) out[ours] = out[theirs];
    delete out[theirs];
  }
  for (const field of rule.ignore ?? []) delete out[field];
  for (const field of rule.lists ?? []) {
    const value = out[field];
    if (typeof value === 'string' && shapeHas(schema, field)) {
      out[field] = value.split(SEPARATORS).filter((item) => item !== '');
    }
  }
  return out;
}
