import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempDir } from './temp-dir.js';

describe('tempDir', () => {
  test('creates a directory under os.tmpdir() and removes it with its contents', async () => {
    const dir = await tempDir('mailyard-test-');
    expect(dir.path.startsWith(tmpdir())).toBe(true);
    expect(basename(dir.path)).toMatch(/^mailyard-test-/);
    await writeFile(join(dir.path, 'control.db'), 'x');
    await dir.cleanup();
    expect(existsSync(dir.path)).toBe(false);
    await dir.cleanup();
  });

  test('is removed at the end of an `await using` block', async () => {
    let path = '';
    {
      await using dir = await tempDir();
      path = dir.path;
      expect(existsSync(path)).toBe(true);
    }
    expect(existsSync(path)).toBe(false);
  });
});
