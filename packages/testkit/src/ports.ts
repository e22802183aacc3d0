/**
 * Hermetic listeners: in tests every port Mailyard can bind is 0, so a test never collides with another test, a
 * second test run or a Mailyard running on the same machine (a run failed with EADDRINUSE 127.0.0.1:9101). The
 * vitest setup applies portZeroEnvironment() to process.env, so a child process started with the test's
 * environment binds free ports and reports them (the "metrics listening" and "<role> listening" log lines).
 */
import { listSettings } from '@mailyard/config';

/** Every MAILYARD_*_PORT variable the configuration knows, set to '0'. */
export function portZeroEnvironment(): Record<string, string> {
  const ports = listSettings().filter((setting) => setting.envVar.endsWith('_PORT'));
  return Object.fromEntries(ports.map((setting) => [setting.envVar, '0']));
}

/** Sets every MAILYARD_*_PORT of this process's environment to 0 (inherited by the child processes it starts). */
export function usePortZero(env: NodeJS.ProcessEnv = process.env): void {
  Object.assign(env, portZeroEnvironment());
}
