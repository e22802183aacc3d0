import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { corpusDir, corpusMessages, findExecutable, repoRoot, requireTool } from './environment.js';

let savedCI: string | undefined;
beforeEach(() => {
  savedCI = process.env.CI;
});
afterEach(() => {
  if (savedCI === undefined) delete process.env.CI;
  else process.env.CI = savedCI;
});

/** A directory with no corpus beside it and no workspace above it. */
function emptyRoot(): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'mailyard-root-'));
  return { root: join(root, 'repo'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

describe('repoRoot', () => {
  test('finds the directory holding pnpm-workspace.yaml', () => {
    expect(existsSync(join(repoRoot(), 'pnpm-workspace.yaml'))).toBe(true);
    expect(existsSync(join(repoRoot(), 'packages', 'testkit'))).toBe(true);
  });

  test('throws when there is no workspace above the start', () => {
    const { root, remove } = emptyRoot();
    try {
      expect(() => repoRoot(root)).toThrow(/pnpm-workspace.yaml/);
    } finally {
      remove();
    }
  });
});

describe('requireTool', () => {
  test('finds sh on PATH', () => {
    expect(requireTool('sh')).toBe(true);
    expect(findExecutable('sh')).toMatch(/\/sh$/);
  });

  test('a missing tool returns false locally', () => {
    delete process.env.CI;
    expect(requireTool('mailyard-no-such-tool')).toBe(false);
  });

  test('a missing tool throws when CI=true', () => {
    process.env.CI = 'true';
    expect(() => requireTool('mailyard-no-such-tool')).toThrow(/mailyard-no-such-tool/);
  });

  test('a path that is not executable is not a tool', () => {
    delete process.env.CI;
    expect(requireTool(join(repoRoot(), 'package.json'))).toBe(false);
  });
});

describe('corpus', () => {
  test('absent corpus: undefined and no messages locally, an error in CI', () => {
    const { root, remove } = emptyRoot();
    try {
      delete process.env.CI;
      expect(corpusDir(root)).toBeUndefined();
      expect(corpusMessages({ root })).toEqual([]);
      process.env.CI = 'true';
      expect(() => corpusDir(root)).toThrow(/corpus/);
      expect(() => corpusMessages({ root })).toThrow(/corpus/);
    } finally {
      remove();
    }
  });

  const dir = corpusDir();
  test.skipIf(dir === undefined)('lists the CRLF .eml files and leaves out the .lf.eml twins', () => {
    const messages = corpusMessages();
    expect(messages.length).toBeGreaterThan(100);
    expect(messages.every((path) => path.startsWith(`${dir}/`) && path.endsWith('.eml'))).toBe(true);
    expect(messages.some((path) => path.endsWith('.lf.eml'))).toBe(false);
    expect(messages.map((path) => basename(path))).toEqual([...messages.map((path) => basename(path))].sort());
  });

  test.skipIf(dir === undefined)('withLfTwins adds each *.lf.eml twin', () => {
    const crlf = corpusMessages();
    const all = corpusMessages({ withLfTwins: true });
    const twins = all.filter((path) => path.endsWith('.lf.eml'));
    expect(twins.length).toBeGreaterThan(0);
    expect(all.length).toBe(crlf.length + twins.length);
  });
});
