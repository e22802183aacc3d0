import { describe, expect, test } from 'vitest';
import { healthySample } from '../test/fixtures/samples.js';
import { createHealthEvaluator, DEFAULT_THRESHOLDS } from './health-checks.js';

const GiB = 1024 ** 3;

const disk = (usedPercent: number) => ({
  path: '/data',
  totalBytes: 100,
  availableBytes: 100 - usedPercent,
  usedPercent,
});

describe('health thresholds', () => {
  test('one sample over a threshold does not alert; the second in a row does', () => {
    const evaluator = createHealthEvaluator(DEFAULT_THRESHOLDS);
    expect(evaluator.observe(healthySample({ systemCpuPercent: 95 }))).toEqual([]);
    expect(evaluator.state('cpu')).toBe('ok');
    expect(evaluator.observe(healthySample({ systemCpuPercent: 90 }))).toEqual([
      { check: 'cpu', kind: 'alert', value: 90, threshold: 80 },
    ]);
    expect(evaluator.state('cpu')).toBe('alerting');
  });

  test('an interrupted run of high samples does not alert', () => {
    const evaluator = createHealthEvaluator(DEFAULT_THRESHOLDS);
    const values = [95, 10, 95, 10, 95];
    const events = values.flatMap((v) => evaluator.observe(healthySample({ systemCpuPercent: v })));
    expect(events).toEqual([]);
  });

  test('alerts once per episode, then recovers after two good samples, and can alert again', () => {
    const evaluator = createHealthEvaluator(DEFAULT_THRESHOLDS);
    const usage = [80, 80, 90, 99, 97, 60, 80, 60, 60, 76, 76];
    const events = usage.map((u) => evaluator.observe(healthySample({ disk: disk(u) })).map((e) => e.kind));
    expect(events).toEqual([[], ['alert'], [], [], [], [], [], [], ['recovered'], [], ['alert']]);
  });

  test('boundaries: at 80% CPU, at 25% free memory and at 75% disk alert; heap exactly 2 GiB does not', () => {
    const evaluator = createHealthEvaluator(DEFAULT_THRESHOLDS);
    const atLimits = healthySample({
      systemCpuPercent: 80,
      freeMemoryPercent: 25,
      disk: disk(75),
      heapUsedBytes: 2 * GiB,
    });
    evaluator.observe(atLimits);
    const checks = evaluator.observe(atLimits).map((e) => e.check);
    expect(checks.sort()).toEqual(['cpu', 'disk', 'memory']);
    const overHeap = healthySample({ heapUsedBytes: 2 * GiB + 1 });
    evaluator.observe(overHeap);
    expect(evaluator.observe(overHeap).map((e) => e.check)).toContain('heap');
  });

  test('a sample without disk figures leaves the disk check as it was', () => {
    const evaluator = createHealthEvaluator(DEFAULT_THRESHOLDS);
    evaluator.observe(healthySample({ disk: disk(90) }));
    evaluator.observe(healthySample({ disk: null }));
    expect(evaluator.observe(healthySample({ disk: disk(90) }))).toEqual([
      { check: 'disk', kind: 'alert', value: 90, threshold: 75 },
    ]);
  });

  test('consecutiveSamples is configurable', () => {
    const evaluator = createHealthEvaluator({ ...DEFAULT_THRESHOLDS, consecutiveSamples: 3 });
    const low = healthySample({ freeMemoryPercent: 5 });
    expect([evaluator.observe(low), evaluator.observe(low)].flat()).toEqual([]);
    expect(evaluator.observe(low)).toHaveLength(1);
    expect(evaluator.states()).toEqual({ heap: 'ok', memory: 'alerting', cpu: 'ok', disk: 'ok' });
  });
});
