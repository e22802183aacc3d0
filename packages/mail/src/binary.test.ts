import { describe, expect, test } from 'vitest';
import { getBinarySection } from './binary.js';
import { crlf, NESTED_MESSAGE } from './fixtures.test-support.js';
import { indexMessageSync } from './index-message.js';

const ENCODED = crlf(
  'Content-Type: multipart/mixed; boundary=b\n\n' +
    '--b\nContent-Transfer-Encoding: base64\n\naGVsbG8g\nd29ybGQ=\n' +
    '--b\nContent-Transfer-Encoding: quoted-printable\n\nhello =\nto you=3F\n' +
    '--b\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n' +
    '--b\nContent-Transfer-Encoding: 8bit\n\nplain\n--b--\n',
);

function binary(raw: Buffer, section: string) {
  return getBinarySection(raw, indexMessageSync(raw).mime, section);
}

function text(raw: Buffer, section: string): string | null {
  const result = binary(raw, section);
  return result?.kind === 'data' ? result.data.toString('latin1') : null;
}

describe('BINARY[section] (RFC 3516 §4.2)', () => {
  test('base64 and quoted-printable parts are decoded; identity encodings pass through', () => {
    expect(text(ENCODED, '1')).toBe('hello world');
    expect(text(ENCODED, '2')).toBe('hello to you?');
    expect(text(ENCODED, '4')).toBe('plain');
  });

  test('an unknown encoding is reported for UNKNOWN-CTE (RFC 3516 §4.3)', () => {
    expect(binary(ENCODED, '3')).toEqual({ kind: 'unknown-cte', encoding: 'x-uuencode' });
  });

  test('the whole message and MIME/HEADER/TEXT forms are not decoded (imaptest fetch-binary-mime)', () => {
    expect(text(NESTED_MESSAGE, '')?.length).toBe(602);
    expect(text(NESTED_MESSAGE, 'TEXT')?.length).toBe(466);
    expect(text(NESTED_MESSAGE, '1')).toBe('hello\r\n');
    expect(text(NESTED_MESSAGE, '2.1')).toBe('<p>Hello world</p>\r\n');
    expect(text(NESTED_MESSAGE, '2.MIME')?.length).toBe(32);
    expect(text(ENCODED, '1.MIME')).toBe('Content-Transfer-Encoding: base64\r\n\r\n');
  });

  test('a missing part or an invalid section is null', () => {
    expect(binary(ENCODED, '9')).toBeNull();
    expect(binary(ENCODED, 'NONSENSE')).toBeNull();
  });

  test('a single-part message: part 1 is its body, decoded by the top-level encoding', () => {
    const raw = crlf('Subject: x\nContent-Transfer-Encoding: BASE64 (comment)\n\nAAEC/w==\n');
    const result = binary(raw, '1');
    expect(result).toEqual({ kind: 'data', data: Buffer.from([0, 1, 2, 255]) });
  });
});
