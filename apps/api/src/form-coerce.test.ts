import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { coerceForm } from './form-coerce.js';

const schema = z.strictObject({
  flag: z.boolean().optional(),
  count: z.number().int().default(1),
  code: z.union([z.literal(250), z.literal(421), z.literal(550)]).optional(),
  either: z.union([z.string(), z.boolean()]).optional(),
  list: z.array(z.string()).optional(),
  numbers: z.array(z.number()).optional(),
  text: z.string().optional(),
});

describe('coerceForm', () => {
  test('converts by the field schema: booleans, numbers, number literals, lists', () => {
    const out = coerceForm(schema, {
      flag: 'on',
      count: '42',
      code: '550',
      either: 'false',
      list: 'one',
      numbers: ['1', '2.5'],
      text: 'true',
    });
    expect(out).toEqual({
      flag: true,
      count: 42,
      code: 550,
      either: false,
      list: ['one'],
      numbers: [1, 2.5],
      text: 'true',
    });
    expect(schema.parse(out)).toMatchObject({ code: 550, count: 42 });
  });

  test('leaves what does not convert for the schema to refuse, and unknown fields as they are', () => {
    const out = coerceForm(schema, { flag: 'maybe', count: '4x', code: '251', extra: 'x', either: 'text' });
    expect(out).toEqual({ flag: 'maybe', count: '4x', code: 251, extra: 'x', either: 'text' });
    expect(schema.safeParse(out).success).toBe(false);
  });

  test('a repeated field where one value is wanted: one item is taken as the value, several stay a list', () => {
    expect(coerceForm(schema, { flag: ['false'], text: ['a', 'b'] })).toEqual({ flag: false, text: ['a', 'b'] });
  });
});
