// The catalogue of settings read back from the zod schema: one entry per leaf with its path, environment
// variable, kind, default and description. Loading uses it to read MAILYARD_* variables and word errors;
// the docs renderer prints it.
import { z } from 'zod';
import { configSchema } from './schema.js';
import { type SettingMeta, settingRegistry } from './setting-types.js';
import { formatDuration, formatSize } from './units.js';

export type SettingKind = 'integer' | 'number' | 'boolean' | 'string' | 'enum' | 'size' | 'duration';

export interface SettingInfo {
  /** Dotted path, e.g. 'smtp.mxPort'. */
  path: string;
  keys: string[];
  /** e.g. 'MAILYARD_SMTP_MX_PORT'. */
  envVar: string;
  kind: SettingKind;
  /** Short type label for the docs, e.g. 'integer 0..65535'. */
  typeLabel: string;
  /** What values are accepted, in words, for error messages. */
  allowed: string;
  /** The schema's own words on what is allowed, when the type label does not say it all. */
  allowedNote: string | undefined;
  description: string;
  /** The default as the docs print it. */
  defaultText: string;
  /** 'value': defaultText is the literal default; 'described': it is words; 'unset': no default. */
  defaultKind: 'value' | 'described' | 'unset';
  secret: boolean;
}

export interface SectionInfo {
  /** Top-level key, or '' for the top-level settings. */
  key: string;
  description: string;
  settings: SettingInfo[];
}

type AnySchema = z.core.$ZodType;

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable']);

function innerOf(schema: AnySchema): AnySchema | undefined {
  const def = schema._zod.def as { type: string; innerType?: AnySchema; out?: AnySchema };
  if (WRAPPERS.has(def.type)) return def.innerType;
  if (def.type === 'pipe') return def.out;
  return undefined;
}

/** The schema under default/optional/preprocess wrappers: the one that says what type the value is. */
function baseOf(schema: AnySchema): AnySchema {
  let current = schema;
  for (let inner = innerOf(current); inner; inner = innerOf(current)) current = inner;
  return current;
}

function metaOf(schema: AnySchema): SettingMeta | undefined {
  for (let current: AnySchema | undefined = schema; current; current = innerOf(current)) {
    const meta = settingRegistry.get(current);
    if (meta) return meta;
  }
  return undefined;
}

function defaultOf(schema: AnySchema): { value: unknown } | undefined {
  for (let current: AnySchema | undefined = schema; current; current = innerOf(current)) {
    const def = current._zod.def as { type: string; defaultValue?: unknown };
    if (def.type === 'default') return { value: def.defaultValue };
  }
  return undefined;
}

export function envVarFor(keys: readonly string[]): string {
  const words = keys.map((key) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase());
  return `MAILYARD_${words.join('_')}`;
}

function kindOf(base: AnySchema, meta: SettingMeta | undefined): SettingKind {
  if (meta?.kind) return meta.kind;
  if (base instanceof z.ZodNumber) return base.isInt ? 'integer' : 'number';
  if (base instanceof z.ZodBoolean) return 'boolean';
  if (base instanceof z.ZodEnum) return 'enum';
  return 'string';
}

/** Bounds set by the schema; the implicit safe-integer bounds of .int() are not worth printing. */
function rangeOf(base: AnySchema): { min?: number; max?: number } {
  if (!(base instanceof z.ZodNumber)) return {};
  const { minValue, maxValue } = base;
  const min = minValue !== null && minValue > Number.MIN_SAFE_INTEGER ? minValue : undefined;
  const max = maxValue !== null && maxValue < Number.MAX_SAFE_INTEGER ? maxValue : undefined;
  return { min, max };
}

function rangeWords({ min, max }: { min?: number; max?: number }): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  return '';
}

function enumValues(base: AnySchema): string[] {
  const def = base._zod.def as { entries?: Record<string, string> };
  return Object.values(def.entries ?? {});
}

function allowedFor(kind: SettingKind, base: AnySchema): string {
  const range = rangeWords(rangeOf(base));
  switch (kind) {
    case 'integer':
      return `an integer${range}`;
    case 'number':
      return `a number${range}`;
    case 'boolean':
      return 'true or false (from the environment also 1/0, yes/no, on/off)';
    case 'enum':
      return `one of ${enumValues(base).join(', ')}`;
    case 'size':
      return `a byte count${range}, or a size such as 50MB or 5GB (K, M, G, T are powers of 1024)`;
    case 'duration':
      return `milliseconds${range}, or a duration such as 30s, 30m, 24h or 5d`;
    default:
      return 'text';
  }
}

function typeLabelFor(kind: SettingKind, base: AnySchema): string {
  const { min, max } = rangeOf(base);
  if (kind === 'enum') return enumValues(base).join(' / ');
  if (kind === 'boolean' || kind === 'string') return kind;
  if (min !== undefined && max !== undefined) return `${kind} ${min}..${max}`;
  if (min !== undefined && min > 0) return `${kind} ≥ ${min}`;
  return kind;
}

function defaultTextFor(kind: SettingKind, found: { value: unknown } | undefined, meta?: SettingMeta): string {
  if (meta?.docDefault) return meta.docDefault;
  if (!found) return '(unset)';
  const { value } = found;
  if (kind === 'size' && typeof value === 'number') return `${value} (${formatSize(value)})`;
  if (kind === 'duration' && typeof value === 'number') return `${value} (${formatDuration(value)})`;
  return String(value);
}

function describeLeaf(keys: string[], schema: AnySchema): SettingInfo {
  const meta = metaOf(schema);
  const base = baseOf(schema);
  const kind = kindOf(base, meta);
  const path = keys.join('.');
  if (!meta) throw new Error(`setting ${path} has no description in the config schema`);
  return {
    path,
    keys,
    envVar: envVarFor(keys),
    kind,
    typeLabel: typeLabelFor(kind, base),
    allowed: meta.allowed ?? allowedFor(kind, base),
    allowedNote: meta.allowed,
    description: meta.description,
    defaultText: defaultTextFor(kind, defaultOf(schema), meta),
    defaultKind: meta.docDefault ? 'described' : defaultOf(schema) ? 'value' : 'unset',
    secret: meta.secret === true,
  };
}

function shapeOf(schema: AnySchema): Record<string, AnySchema> | undefined {
  const base = baseOf(schema);
  const def = base._zod.def as { type: string; shape?: Record<string, AnySchema> };
  return def.type === 'object' ? def.shape : undefined;
}

function collectLeaves(keys: string[], schema: AnySchema, into: SettingInfo[]): void {
  const shape = shapeOf(schema);
  if (!shape) {
    into.push(describeLeaf(keys, schema));
    return;
  }
  for (const [key, child] of Object.entries(shape)) collectLeaves([...keys, key], child, into);
}

function buildSections(): SectionInfo[] {
  const top: SectionInfo = { key: '', description: 'Settings at the top level.', settings: [] };
  const sections: SectionInfo[] = [top];
  for (const [key, child] of Object.entries(shapeOf(configSchema) ?? {})) {
    if (!shapeOf(child)) {
      top.settings.push(describeLeaf([key], child));
      continue;
    }
    const settings: SettingInfo[] = [];
    collectLeaves([key], child, settings);
    sections.push({ key, description: metaOf(child)?.description ?? '', settings });
  }
  return sections;
}

let cachedSections: SectionInfo[] | undefined;

/** Settings grouped by top-level section, in schema order. */
export function listSections(): SectionInfo[] {
  cachedSections ??= buildSections();
  return cachedSections;
}

/** Every setting of the schema, in schema order. */
export function listSettings(): SettingInfo[] {
  return listSections().flatMap((section) => section.settings);
}
