// Builders for the kinds of setting the schema is made of. Each builder attaches the setting's description
// (and how to show it in the docs) to the zod schema through `settingRegistry`, so the schema stays the single
// declaration that loading, error messages and docs/configuration.md all read.
import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';

export interface SettingMeta {
  description: string;
  /** Sizes and durations accept unit suffixes and print with units in the docs. */
  kind?: 'size' | 'duration';
  /** What is allowed, in words, when the type alone does not say it. */
  allowed?: string;
  /** The default as the docs show it, when the real default depends on the machine. */
  docDefault?: string;
  /** Never echo the value in error messages. */
  secret?: boolean;
}

export const settingRegistry = z.registry<SettingMeta>();

function describe<T extends z.ZodType>(schema: T, meta: SettingMeta): T {
  settingRegistry.add(schema, meta);
  return schema;
}

export function section<T extends z.ZodRawShape>(description: string, shape: T) {
  // prefault, not default: an absent section is parsed as {} so its fields get their own defaults.
  return describe(z.strictObject(shape), { description }).prefault({} as never);
}

export function port(defaultPort: number, description: string) {
  return describe(z.number().int().min(0).max(65535).default(defaultPort), { description });
}

export function count(defaultValue: number, description: string, min = 0) {
  return describe(z.number().int().min(min).default(defaultValue), { description });
}

export function percent(defaultValue: number, description: string) {
  return describe(z.number().min(0).max(100).default(defaultValue), { description });
}

export function flag(defaultValue: boolean, description: string) {
  return describe(z.boolean().default(defaultValue), { description });
}

function unitNumber(parse: (text: string) => number | undefined, min: number, max?: number) {
  const number = z.number().int().min(min);
  return z.preprocess(
    (value) => (typeof value === 'string' ? (parse(value) ?? value) : value),
    max === undefined ? number : number.max(max),
  );
}

export function size(defaultBytes: number, description: string, min = 0) {
  return describe(unitNumber(parseSize, min).default(defaultBytes), { description, kind: 'size' });
}

export function duration(defaultMs: number, description: string, min = 0, max?: number) {
  return describe(unitNumber(parseDuration, min, max).default(defaultMs), { description, kind: 'duration' });
}

export function text(defaultValue: string, description: string) {
  return describe(z.string().min(1).default(defaultValue), { description });
}

export function choice<const T extends readonly [string, ...string[]]>(
  values: T,
  defaultValue: T[number],
  description: string,
) {
  return describe(z.enum(values).default(defaultValue as never), { description });
}

/** An optional setting: unset unless given. `schema` carries its own validation. */
export function optional<T extends z.ZodType>(schema: T, meta: SettingMeta) {
  return describe(schema.optional(), meta);
}
