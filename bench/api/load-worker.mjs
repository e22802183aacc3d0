// Load generator of bench/api/run.ts, in a worker thread: keeps `concurrency` requests in flight for `seconds`,
// cycling through every page of the alias list, and posts back each request's latency.
import { parentPort, workerData } from 'node:worker_threads';

const { url, authorization, aliases, limit, seconds, concurrency } = workerData;
const pages = Math.ceil(aliases / limit);
const latencies = [];
let failures = 0;
let request = 0;
const deadline = performance.now() + seconds * 1000;

async function client() {
  while (performance.now() < deadline) {
    const page = (request++ % pages) + 1;
    const started = performance.now();
    const res = await fetch(`${url}/v1/domains/bench.example/aliases?page=${page}&limit=${limit}`, {
      headers: { authorization },
    });
    const body = await res.json();
    latencies.push(performance.now() - started);
    if (res.status !== 200 || body.length === 0) failures++;
  }
}

await Promise.all(Array.from({ length: concurrency }, client));
parentPort.postMessage({ latencies, failures });
