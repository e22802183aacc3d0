/**
 * A tiny authoritative DNS responder for tests (UDP on 127.0.0.1, port 0; RFC 1035). Answers MX, TXT, A and AAAA
 * from a table that the test edits; NXDOMAIN for names it does not know, an empty answer (NODATA) for known names
 * without that type. Point a resolver at `address` (node:dns Resolver.setServers, config dns.resolver).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface DnsTable {
  mx: Map<string, Array<{ preference: number; exchange: string }>>;
  /** Each record is a list of character-strings (a TXT record may be split in chunks of at most 255 bytes). */
  txt: Map<string, string[][]>;
  /** IPv4 addresses per name. */
  a: Map<string, string[]>;
  /** IPv6 addresses per name. */
  aaaa: Map<string, string[]>;
}

export interface DnsServer {
  /** 'host:port' of the responder, the form config dns.resolver takes. */
  address: string;
  table: DnsTable;
  close(): Promise<void>;
}

const NXDOMAIN = 3;

function isKnown(table: DnsTable, name: string): boolean {
  return table.mx.has(name) || table.txt.has(name) || table.a.has(name) || table.aaaa.has(name);
}

function answersFor(table: DnsTable, question: dnsPacket.Question): dnsPacket.Answer[] {
  const name = question.name.toLowerCase();
  const base = { name: question.name, ttl: 60 };
  switch (question.type) {
    case 'MX':
      return (table.mx.get(name) ?? []).map((data) => ({ ...base, type: 'MX', data }));
    case 'TXT':
      return (table.txt.get(name) ?? []).map((data) => ({ ...base, type: 'TXT', data }));
    case 'A':
      return (table.a.get(name) ?? []).map((data) => ({ ...base, type: 'A', data }));
    case 'AAAA':
      return (table.aaaa.get(name) ?? []).map((data) => ({ ...base, type: 'AAAA', data }));
    default:
      return [];
  }
}

function respond(socket: Socket, table: DnsTable, message: Buffer, peer: RemoteInfo): void {
  const query = dnsPacket.decode(message);
  const question = query.questions?.[0];
  if (!question) return;
  const known = isKnown(table, question.name.toLowerCase());
  const response = dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : NXDOMAIN),
    questions: [question],
    answers: answersFor(table, question),
  });
  socket.send(response, peer.port, peer.address);
}

export async function startDnsServer(): Promise<DnsServer> {
  const table: DnsTable = { mx: new Map(), txt: new Map(), a: new Map(), aaaa: new Map() };
  const socket = createSocket('udp4');
  socket.on('message', (message, peer) => {
    try {
      respond(socket, table, message, peer);
    } catch {
      // A packet that does not decode gets no answer, like a real server under garbage.
    }
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
