// The four health checks, their thresholds (docs/architecture.md, "monitor") and the episode logic:
// a check starts alerting after `consecutiveSamples` samples in a row over its threshold, alerts once for that
// episode, and recovers after as many samples in a row back under it (the same count both ways, so a value
// hovering at the threshold does not flap between alert and recovery on every sample).

export type HealthCheckName = 'heap' | 'memory' | 'cpu' | 'disk';

export const HEALTH_CHECKS: readonly HealthCheckName[] = ['heap', 'memory', 'cpu', 'disk'];

export interface DiskUsage {
  path: string;
  totalBytes: number;
  /** Bytes an unprivileged process can still write (statfs bavail), as `df` reports. */
  availableBytes: number;
  usedPercent: number;
}

/** One reading of the process and the machine. Percentages are 0-100. */
export interface HealthSample {
  at: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** V8's own limit (--max-old-space-size); past it the process dies with an out-of-memory error. */
  heapSizeLimitBytes: number;
  rssBytes: number;
  freeMemoryBytes: number;
  totalMemoryBytes: number;
  freeMemoryPercent: number;
  /** This process's CPU time since the previous sample, as a percentage of all cores. */
  processCpuPercent: number;
  /** Whole-machine busy time since the previous sample, as a percentage of all cores. */
  systemCpuPercent: number;
  loadAverage: readonly [number, number, number];
  /** null when the data directory cannot be measured (not created yet, or statfs unsupported). */
  disk: DiskUsage | null;
}

export interface HealthThresholds {
  /** Alert when the used V8 heap is over this many bytes. Default 2 GiB. */
  heapUsedBytes: number;
  /** Alert when free system memory is at or under this percentage. Default 25. */
  freeMemoryPercent: number;
  /** Alert when machine CPU use is at or over this percentage of all cores. Default 80. */
  cpuPercent: number;
  /** Alert when the data directory's file system is at or over this percentage used. Default 75. */
  diskUsedPercent: number;
  /** Samples in a row over (or back under) a threshold before alerting (or recovering). Default 2. */
  consecutiveSamples: number;
}

export const DEFAULT_THRESHOLDS: Readonly<HealthThresholds> = Object.freeze({
  heapUsedBytes: 2 * 1024 ** 3,
  freeMemoryPercent: 25,
  cpuPercent: 80,
  diskUsedPercent: 75,
  consecutiveSamples: 2,
});

export type CheckState = 'ok' | 'alerting';

export interface HealthEvent {
  check: HealthCheckName;
  kind: 'alert' | 'recovered';
  value: number;
  threshold: number;
}

interface Reading {
  value: number;
  threshold: number;
  over: boolean;
}

/** The value a check looks at and whether it is past its threshold; undefined when the sample lacks it. */
function readCheck(check: HealthCheckName, sample: HealthSample, t: HealthThresholds): Reading | undefined {
  switch (check) {
    case 'heap':
      return { value: sample.heapUsedBytes, threshold: t.heapUsedBytes, over: sample.heapUsedBytes > t.heapUsedBytes };
    case 'memory':
      return {
        value: sample.freeMemoryPercent,
        threshold: t.freeMemoryPercent,
        over: sample.freeMemoryPercent <= t.freeMemoryPercent,
      };
    case 'cpu':
      return { value: sample.systemCpuPercent, threshold: t.cpuPercent, over: sample.systemCpuPercent >= t.cpuPercent };
    case 'disk':
      if (!sample.disk) return undefined;
      return {
        value: sample.disk.usedPercent,
        threshold: t.diskUsedPercent,
        over: sample.disk.usedPercent >= t.diskUsedPercent,
      };
  }
}

interface CheckTrack {
  state: CheckState;
  /** Samples in a row that disagree with the current state. */
  streak: number;
}

export interface HealthEvaluator {
  /** Feed one sample; returns the alerts and recoveries it caused (usually none). */
  observe(sample: HealthSample): HealthEvent[];
  state(check: HealthCheckName): CheckState;
  states(): Record<HealthCheckName, CheckState>;
}

export function createHealthEvaluator(thresholds: HealthThresholds): HealthEvaluator {
  const tracks = new Map<HealthCheckName, CheckTrack>(HEALTH_CHECKS.map((c) => [c, { state: 'ok', streak: 0 }]));
  const track = (check: HealthCheckName): CheckTrack => tracks.get(check) as CheckTrack;

  function step(check: HealthCheckName, reading: Reading): HealthEvent | undefined {
    const t = track(check);
    const disagrees = reading.over === (t.state === 'ok');
    t.streak = disagrees ? t.streak + 1 : 0;
    if (t.streak < thresholds.consecutiveSamples) return undefined;
    t.state = reading.over ? 'alerting' : 'ok';
    t.streak = 0;
    return { check, kind: reading.over ? 'alert' : 'recovered', value: reading.value, threshold: reading.threshold };
  }

  return {
    observe(sample) {
      const events: HealthEvent[] = [];
      for (const check of HEALTH_CHECKS) {
        const reading = readCheck(check, sample, thresholds);
        const event = reading && step(check, reading);
        if (event) events.push(event);
      }
      return events;
    },
    state: (check) => track(check).state,
    states: () =>
      Object.fromEntries(HEALTH_CHECKS.map((c) => [c, track(c).state])) as Record<HealthCheckName, CheckState>,
  };
}
