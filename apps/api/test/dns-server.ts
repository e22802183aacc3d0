/**
 * A tiny authoritative DNS responder for tests (UDP on 127.0.0.1, port 0). Answers MX and TXT from a table that
 * the test edits; NXDOMAIN for names it does not know, an empty answer (NODATA) for known names without that type.
 */
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface DnsTable {
  mx: Map<string, Array<{ preference: number; exchange: string }>>;
  /** Each record is a list of character-strings (a TXT record may be split in chunks of at most 255 bytes). */
  txt: Map<string, string[][]>;
}

const NXDOMAIN = 3;

export async function startDnsServer(): Promise<{ address: string; table: DnsTable; close(): Promise<void> }> {
  const table: DnsTable = { mx: new Map(), txt: new Map() };
  const socket = createSocket('udp4');
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    const known = table.mx.has(name) || table.txt.has(name);
    const answers: dnsPacket.Answer[] =
      question.type === 'MX'
        ? (table.mx.get(name) ?? []).map((data) => ({ type: 'MX', name: question.name, ttl: 60, data }))
        : question.type === 'TXT'
          ? (table.txt.get(name) ?? []).map((data) => ({ type: 'TXT', name: question.name, ttl: 60, data }))
          : [];
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : NXDOMAIN),
      questions: [question],
      answers,
    });
    socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    table,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** Splits a long TXT value into 255-byte character-strings (RFC 1035 §3.3.14). */
export function txtChunks(value: string): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < value.length; i += 255) chunks.push(value.slice(i, i + 255));
  return chunks;
}
