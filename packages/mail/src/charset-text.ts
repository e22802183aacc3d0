/// <reference path="./untyped-modules.d.ts" />
// Bytes in a declared charset to Unicode text, for search: libmime's converters (iconv-lite, encoding-japanese)
// plus what they refuse or mislabel in real mail: UTF-7 (RFC 2152; libmime refuses it), UTF-8 text declared as
// a legacy charset (common; well-formed multibyte UTF-8 is practically never valid text in another charset),
// and text with no charset or an unknown one (UTF-8 when well-formed, else Windows-1252).

import { isAscii, isUtf8 } from 'node:buffer';
import libmime from 'libmime';
import { decode as decodeCharset, normalizeCharset } from 'libmime/lib/charset.js';

const UTF7 = /^(?:unicode-1-1-)?utf-7$/i;
const WIDE = /^(?:utf-?16|utf-?32|ucs-?2|ucs-?4)/i;

/** RFC 2152: '+' starts modified base64 of UTF-16BE, '-' (or any non-base64 char) ends it; '+-' is '+'. */
export function decodeUtf7(text: string): string {
  return text.replace(/\+([A-Za-z0-9+/]*)-?/g, (match, chunk: string) => {
    if (chunk === '') return match === '+-' ? '+' : match;
    const bytes = Buffer.from(chunk, 'base64');
    const units = bytes.subarray(0, bytes.length - (bytes.length % 2));
    return units.swap16().toString('utf16le');
  });
}

/** Decodes bytes declared to be in `charset` (null when undeclared). Never throws. */
export function decodeText(bytes: Buffer, charset: string | null): string {
  const name = charset?.trim() ?? '';
  if (UTF7.test(name)) return decodeUtf7(bytes.toString('latin1'));
  if (!WIDE.test(name) && !isAscii(bytes) && isUtf8(bytes)) return bytes.toString('utf8');
  if (!name) return guessText(bytes);
  try {
    const text = decodeCharset(bytes, name);
    return text.includes('\ufffd') && /^UTF-?8$/i.test(normalizeCharset(name)) ? guessText(bytes) : text;
  } catch {
    return guessText(bytes);
  }
}

function guessText(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  return decodeCharset(bytes, 'windows-1252');
}

const UTF7_WORD = /=\?((?:unicode-1-1-)?utf-7)(\*[^?]*)?\?([bq])\?([^?]*)\?=/gi;

/** RFC 2047 decoding of a header value; UTF-7 words are turned into UTF-8 words first (libmime refuses UTF-7). */
export function decodeHeaderWords(text: string): string {
  const prepared = text.includes('?=') ? text.replace(UTF7_WORD, utf7WordAsUtf8) : text;
  try {
    return libmime.decodeWords(prepared);
  } catch {
    return text;
  }
}

function utf7WordAsUtf8(_match: string, _charset: string, _lang: string, encoding: string, payload: string): string {
  const bytes =
    encoding.toLowerCase() === 'b'
      ? Buffer.from(payload, 'base64')
      : Buffer.from(
          payload
            .replace(/_/g, ' ')
            .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        );
  const utf8 = Buffer.from(decodeUtf7(bytes.toString('latin1')), 'utf8');
  return `=?UTF-8?B?${utf8.toString('base64')}?=`;
}
