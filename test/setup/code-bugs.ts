/**
 * The vitest setup of every test file in the workspace (vitest.config.ts setupFiles):
 *
 * - The code-bug check (STYLE.md item 15): a test fails when a code bug was logged in its process while it ran
 *   (reportError's "code bug" line, or an error-level line whose `err` @mailyard/errors calls a code bug), unless
 *   it declared the number it provokes on purpose with expectCodeBugs(n) from @mailyard/testkit. Code bugs logged
 *   before a test began fail that test; those logged after the last test fail the file.
 * - Hermetic ports: every MAILYARD_*_PORT in this process's environment is 0, so processes a test starts with the
 *   inherited environment (metrics listeners included) bind free ports instead of 9101 and friends.
 *
 * Its hooks are registered before the file's own, so they run after the file's afterEach and afterAll hooks
 * (vitest runs after-hooks in reverse order): code bugs logged while a test cleans up count for that test.
 */
import { afterFile, afterTest, beforeTest, usePortZero } from '@mailyard/testkit';
import { afterAll, afterEach, beforeEach } from 'vitest';

usePortZero();
beforeEach(beforeTest);
afterEach(afterTest);
afterAll(afterFile);
