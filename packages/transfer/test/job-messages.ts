/** Small distinct messages for the background import tests. */
import type { TransferMessage } from '../src/index.js';

export function testMessage(n: number): TransferMessage {
  const raw = Buffer.from(
    `From: a@example.com\r\nTo: b@example.com\r\nSubject: message ${n}\r\nMessage-ID: <job-${n}@example.com>\r\n\r\nbody ${n}\r\n`,
  );
  return { folder: 'INBOX', raw, flags: [], internalDate: new Date(Date.UTC(2024, 0, n)), source: `message ${n}` };
}
