// The test DNS responder moved to @mailyard/testkit so that every app's tests share it (same API).
export { type DnsTable, startDnsServer, txtChunks } from '@mailyard/testkit';
