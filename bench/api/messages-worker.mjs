// Load generator of bench/api/messages.ts, in a worker thread: keeps `concurrency` requests in flight for
// `seconds` — list pages cycling over the whole folder ('list') or single messages cycling over `ids` ('get') —
// and posts back each request's latency.
import { parentPort, workerData } from 'node:worker_threads';

const { url, authorization, mode, pages, limit, ids, seconds, concurrency } = workerData;
const latencies = [];
let failures = 0;
let request = 0;
const deadline = performance.now() + seconds * 1000;

function nextPath() {
  const n = request++;
  if (mode === 'list') return `/v1/messages?folder=INBOX&page=${(n % pages) + 1}&limit=${limit}`;
  return `/v1/messages/${ids[n % ids.length]}`;
}

async function client() {
  while (performance.now() < deadline) {
    const started = performance.now();
    const res = await fetch(`${url}${nextPath()}`, { headers: { authorization } });
    const body = await res.json();
    latencies.push(performance.now() - started);
    if (res.status !== 200 || (mode === 'list' && body.length === 0)) failures++;
  }
}

await Promise.all(Array.from({ length: concurrency }, client));
parentPort.postMessage({ latencies, failures });
