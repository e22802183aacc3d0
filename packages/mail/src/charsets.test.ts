// Decoded subjects, addresses and body text of the corpus' charsets and utf8-headers messages (strings read from
// the files by hand), so that SEARCH finds non-ASCII text.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusDir } from '@mailyard/testkit';
import { describe, expect, test } from 'vitest';
import { indexMessageSync } from './index-message.js';

/** The shared corpus (testkit: skipped with the reason printed when absent locally, a failure when CI=true). */
const dir = corpusDir();

interface Expected {
  subject?: string;
  from?: string;
  to?: string;
  cc?: string;
  text?: string[];
}

const EXPECTED: Record<string, Expected> = {
  'charsets--synthetic--sjis.eml': {
    subject: '会議の議事録について',
    from: '山田太郎 <taro@example.jp>',
    to: '佐藤花子 <hanako@example.jp>',
    text: ['本日のソフトウェア会議の議事録と予定表を送ります。'],
  },
  'charsets--synthetic--big5.eml': {
    subject: '第一季度報告與功能許可',
    from: '王小明 <wang@example.tw>',
    text: ['附上第一季度報告，新功能已取得許可。'],
  },
  'charsets--synthetic--iso-8859-7.eml': {
    subject: 'Πρόσκληση σε συνάντηση',
    from: 'Νίκος Παπαδόπουλος <nikos@example.gr>',
    text: ['Σας προσκαλούμε σε συνάντηση την Πέμπτη.'],
  },
  'charsets--synthetic--iso-8859-2-9-15.eml': {
    subject: 'Zażółć gęślą jaźń- 42 €',
    from: 'Mehmet Öztürk <mehmet@example.com.tr>',
    to: 'Łukasz Żółkiewski <lukasz@example.pl>',
    cc: 'Françoise Œuvrard <francoise@example.fr>',
    text: ['Ağaç işleri ve şöförün çiçeği.', 'Prix : 42 € (œuvre, Šárka).'],
  },
  'charsets--synthetic--utf8-encoded-word-edges.eml': {
    subject: 'Grüße aus Köln – 東京 🚀',
    from: 'Jürgen Müller <juergen@example.de>',
    to: 'Renée_Ñúñez <a@example.com>, Grüße _ und Tschüss <b@example.com>',
    text: ['Emoji: 🚀🎉 – Ende.'],
  },
  'charsets--mimekit--japanese.eml': { subject: '日本語メールテスト (testing Japanese emails)', text: ['正常に'] },
  'charsets--mime4j--german-qp.eml': { from: 'Jörn Reder <joern@zyn.de>', text: ['8 Bit Sönderzäichen', 'Grüße'] },
  'charsets--rubymail--ks_c_5601-1987.eml': { text: ['스티해'] },
  'charsets--rubymail--raw_email.eml': { subject: 'NOTE: 한국말로 하는 것', text: ['제 이름은 Jamis입니다.'] },
  'charsets--spamscope--mail_test_12.eml': {
    subject: '代开各地增值税发票',
    from: '张先生 <baoguan@hotmail.com>',
    text: ['我公司可代开各类增值税发票'],
  },
  'charsets--zbateson--m0006.eml': {
    subject: 'Die Hasen und die Frösche (Microsoft Outlook 00)',
    to: 'Joe Blow <jblow@example.com>, Jürgen Schmürgen <schmuergen@example.com>',
    text: ['Die Hasen klagten einst über ihre mißliche Lage'],
  },
  'charsets--phpmime--issue212.eml': {
    subject: 'Automatyczna odpowiedź: Piotrze, test z 6 miesięcy nauki ciągle na Ciebie czeka',
  },
  'charsets--phpmime--issue149.eml': { subject: "מענה 'אני לא נמצא': Invoice 02722027" },
  'utf8-headers--rubymail--utf8_headers.eml': {
    subject: 'Säying Hello',
    from: 'Jöhn Doe <jdöe@mächine.example>',
    to: 'Märy Smith <märy@exämple.net>',
  },
  'utf8-headers--horde--sample_msg_eai_2.eml': { from: 'Jøran Øygårdvær <jøran@example.com>' },
  'utf8-headers--sisimai--lhost-kddi-01.eml': {
    subject: 'メールエラー通知',
    text: ['送信先のメールボックスが一杯のため、送信できませんでした。'],
  },
  'utf8-headers--zbateson--m0001.eml': { to: 'Jürgen Schmürgen <schmuergen@example.com>' },
};

describe.skipIf(dir === undefined)('charsets and UTF-8 headers of the corpus', () => {
  test.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    const indexed = indexMessageSync(readFileSync(path.join(dir as string, name)));
    if (expected.subject !== undefined) expect(indexed.subject).toBe(expected.subject);
    if (expected.from !== undefined) expect(indexed.from).toBe(expected.from);
    if (expected.to !== undefined) expect(indexed.to).toBe(expected.to);
    if (expected.cc !== undefined) expect(indexed.cc).toBe(expected.cc);
    for (const fragment of expected.text ?? []) expect(indexed.text).toContain(fragment);
    if (expected.subject) expect(indexed.headerText).toContain(expected.subject);
  });
});
