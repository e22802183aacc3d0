// Reads a HealthSample from the running process and the machine. CPU figures are deltas since the previous
// reading (the first one is measured from when the sampler was created), as a percentage of all cores.

import { statfsSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import type { DiskUsage, HealthSample } from './health-checks.js';

interface CpuTimes {
  busy: number;
  total: number;
}

function machineCpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.min(100, Math.max(0, (part / whole) * 100));
}

/** df's "Use%": used / (used + available to unprivileged users). */
export function readDiskUsage(path: string): DiskUsage | null {
  try {
    const s = statfsSync(path);
    const used = (s.blocks - s.bfree) * s.bsize;
    const available = s.bavail * s.bsize;
    return {
      path,
      totalBytes: s.blocks * s.bsize,
      availableBytes: available,
      usedPercent: percent(used, used + available),
    };
  } catch {
    return null;
  }
}

export interface HealthSampler {
  read(): HealthSample;
}

export function createHealthSampler(dataDir: string, now: () => number = Date.now): HealthSampler {
  let lastWallNs = process.hrtime.bigint();
  let lastProcessCpu = process.cpuUsage();
  let lastMachine = machineCpuTimes();
  const cores = Math.max(1, os.availableParallelism());

  function cpuSinceLast(): { processCpuPercent: number; systemCpuPercent: number } {
    const wallNs = process.hrtime.bigint();
    const elapsedMicros = Number(wallNs - lastWallNs) / 1000;
    const processCpu = process.cpuUsage(lastProcessCpu);
    const machine = machineCpuTimes();
    const result = {
      processCpuPercent: percent(processCpu.user + processCpu.system, elapsedMicros * cores),
      systemCpuPercent: percent(machine.busy - lastMachine.busy, machine.total - lastMachine.total),
    };
    lastWallNs = wallNs;
    lastProcessCpu = process.cpuUsage();
    lastMachine = machine;
    return result;
  }

  return {
    read() {
      const heap = v8.getHeapStatistics();
      const freeMemoryBytes = os.freemem();
      const totalMemoryBytes = os.totalmem();
      const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg();
      return {
        at: now(),
        heapUsedBytes: heap.used_heap_size,
        heapTotalBytes: heap.total_heap_size,
        heapSizeLimitBytes: heap.heap_size_limit,
        rssBytes: process.memoryUsage.rss(),
        freeMemoryBytes,
        totalMemoryBytes,
        freeMemoryPercent: percent(freeMemoryBytes, totalMemoryBytes),
        ...cpuSinceLast(),
        loadAverage: [l1, l5, l15],
        disk: readDiskUsage(dataDir),
      };
    },
  };
}
