/**
 * Form fields (all strings) to the types a zod object schema asks for, before it validates them: the schema says
 * which field is a boolean, a number or a list, so "true" becomes true only where a boolean is wanted and "0042"
 * stays a string where a string is wanted. What cannot be converted is left as it is, for the schema to refuse with
 * its usual message. Booleans: true/false, 1/0, on/off, yes/no (HTML checkboxes send "on").
 */
import type { z } from 'zod';

type Kind = 'boolean' | 'number' | 'array' | 'other';

interface Def {
  type: string;
  values?: unknown[];
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional(), default(), nullable() and the like. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

const TRUE = new Set(['true', '1', 'on', 'yes']);
const FALSE = new Set(['false', '0', 'off', 'no']);

function coerceValue(schema: z.ZodType, value: unknown): unknown {
  const base = unwrap(schema);
  const def = defOf(base);
  if (def.type === 'array') {
    const items = Array.isArray(value) ? value : [value];
    return def.element ? items.map((item) => coerceValue(def.element as z.ZodType, item)) : items;
  }
  if (Array.isArray(value)) return value.length === 1 ? coerceValue(schema, value[0]) : value;
  if (typeof value !== 'string') return value;
  const kinds = def.type === 'union' ? (def.options ?? []).map(kindOf) : [kindOf(base)];
  const text = value.trim().toLowerCase();
  if (kinds.includes('boolean') && (TRUE.has(text) || FALSE.has(text))) return TRUE.has(text);
  if (kinds.includes('number') && /^[-+]?\d+(?:\.\d+)?$/.test(value.trim())) return Number(value);
  return value;
}

function kindOf(schema: z.ZodType): Kind {
  const type = defOf(unwrap(schema)).type;
  if (type === 'boolean') return 'boolean';
  if (type === 'number' || type === 'int' || type === 'bigint') return 'number';
  if (type === 'array') return 'array';
  // z.literal(550), z.literal(true): the kind of its values (error_code_if_disabled is a union of number literals).
  if (type === 'literal') {
    const values = defOf(unwrap(schema)).values ?? [];
    if (values.some((v) => typeof v === 'number')) return 'number';
    if (values.some((v) => typeof v === 'boolean')) return 'boolean';
  }
  return 'other';
}

/** The form's fields converted field by field for an object schema; other schemas get the fields unchanged. */
export function coerceForm(schema: z.ZodType, fields: Record<string, unknown>): Record<string, unknown> {
  const def = defOf(unwrap(schema));
  if (def.type !== 'object' || !def.shape) return fields;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const field = def.shape[name];
    out[name] = field ? coerceValue(field, value) : value;
  }
  return out;
}
