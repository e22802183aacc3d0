/**
 * The docs and the catalogue say only what is built (issue 14): every setting in docs/configuration.md (generated
 * from the schema) has a reader in shipped code, or is one the schema refuses at load because its backend is not
 * built (and loading it really fails); every metric of the catalogue (packages/monitor/src/metrics.ts) has a
 * writer in shipped code. Shipped code: apps/{name}/src, packages/{name}/src and ecosystem.config.cjs, tests
 * excluded; the schema and the catalogue do not count as their own readers or writers.
 *
 * A reader is `<section>.<key>` (config.imap.maxLineBytes, imap.maxLineBytes after `const { imap } = config`), a
 * key destructured from its section, or a file that takes the section object (`settings = config.monitor`) and
 * reads `.key` from it. metrics.<process>Port is read by name (`config.metrics[`${processName}Port`]`), so that
 * form counts when the process name is one a main.ts starts. A writer is `metrics.<key>.inc/dec/set/observe(...)`,
 * directly or inside a monitor helper (timeCommand, watchByteBudget, ...) that shipped code outside the monitor
 * package calls.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '@mailyard/config';
import { repoRoot } from '@mailyard/testkit';
import { describe, expect, test } from 'vitest';

const root = repoRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mjs|cjs)$/.test(name) && !/\.(test|fuzz\.test)\.ts$/.test(name) && !name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

/** Shipped source: each app's and package's src/, and the PM2 ecosystem file. */
const shipped = [
  ...['apps', 'packages'].flatMap((top) =>
    readdirSync(join(root, top))
      .filter((name) => statSync(join(root, top, name, 'src'), { throwIfNoEntry: false })?.isDirectory())
      .flatMap((name) => sourceFiles(join(top, name, 'src'))),
  ),
  'ecosystem.config.cjs',
].map((path) => ({ path: relative(root, join(root, path)), text: read(path) }));

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Setting paths from the tables of docs/configuration.md, with the description column. */
function documentedSettings(): Array<{ path: string; description: string }> {
  return [
    ...read('docs/configuration.md').matchAll(/^\| `([\w.]+)` \| `MAILYARD_\w+` \|[^|]*\|[^|]*\| (.*) \|$/gm),
  ].map((m) => ({ path: m[1] ?? '', description: m[2] ?? '' }));
}

/** Process names some main.ts starts (runProcess({ processName: ... }) or the smtp roles). */
function processNames(): Set<string> {
  const names = new Set<string>();
  for (const { text } of shipped) {
    for (const m of text.matchAll(/processName: '(\w+)'/g)) names.add(m[1] ?? '');
    for (const m of text.matchAll(/const ROLES = \[([^\]]*)\]/g)) {
      for (const role of (m[1] ?? '').matchAll(/'(\w+)'/g)) names.add(role[1] ?? '');
    }
  }
  return names;
}

function hasReader(path: string, processes: Set<string>): boolean {
  const parts = path.split('.');
  const key = parts.at(-1) ?? '';
  const section = parts.length > 1 ? (parts.at(-2) ?? '') : 'config';
  const direct = new RegExp(`\\b${escapeRegExp(section)}\\??\\.${escapeRegExp(key)}\\b`);
  const destructured = new RegExp(
    `\\{[^}]*\\b${escapeRegExp(key)}\\b[^}]*\\}\\s*=\\s*[\\w.]*\\b${escapeRegExp(section)}\\b`,
  );
  const sectionTaken = new RegExp(`=\\s*[\\w.]*\\bconfig\\??\\.${escapeRegExp(section)}\\s*[;,)]`);
  const keyRead = new RegExp(`\\.${escapeRegExp(key)}\\b`);
  const schema = 'packages/config/src/schema.ts';
  for (const { path: file, text } of shipped) {
    if (file === schema) continue;
    if (direct.test(text) || destructured.test(text)) return true;
    if (parts.length > 1 && sectionTaken.test(text) && keyRead.test(text)) return true;
  }
  const byName = /^(\w+)Port$/.exec(key);
  if (section === 'metrics' && byName?.[1] && processes.has(byName[1])) {
    return shipped.some(({ text }) => text.includes('config.metrics[`${') && text.includes('}Port`]'));
  }
  return false;
}

describe('docs/configuration.md', () => {
  const settings = documentedSettings();

  test('lists the settings (the table format this test reads has not changed)', () => {
    expect(settings.length).toBeGreaterThan(50);
    expect(settings.map((s) => s.path)).toContain('imap.authFailuresPerIpPerHour');
  });

  test('every documented setting has a reader in shipped code, or is refused at load as not built', () => {
    const processes = processNames();
    const unread: string[] = [];
    for (const { path, description } of settings) {
      if (/is not built: any value is refused at start-up/.test(description)) {
        const [section, key] = path.includes('.') ? path.split('.') : [undefined, path];
        const overrides = section ? { [section]: { [key as string]: 'x' } } : { [path]: 'x' };
        expect(() => loadConfig({ env: {}, overrides }), `${path} is said to be refused`).toThrow();
        continue;
      }
      if (!hasReader(path, processes)) unread.push(path);
    }
    expect(unread, 'documented settings that no shipped code reads').toEqual([]);
  });
});

/** Catalogue keys (`  name: new Counter|Gauge|Histogram(`) and each definition's text. */
function catalogue(): Map<string, string> {
  const text = read('packages/monitor/src/metrics.ts');
  const defs = new Map<string, string>();
  const starts = [...text.matchAll(/^ {2}(\w+): new (?:Counter|Gauge|Histogram)\b/gm)];
  starts.forEach((m, i) => {
    defs.set(m[1] ?? '', text.slice(m.index, starts[i + 1]?.index ?? text.length));
  });
  return defs;
}

/**
 * Whether a monitor file's exported functions reach shipped code outside the monitor package: imported from
 * '@mailyard/monitor' there, or imported by another monitor file that does.
 */
function usedOutsideMonitor(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const exported = [...read(file).matchAll(/^export (?:async )?function (\w+)/gm)].map((m) => m[1] ?? '');
  const importsOne = (text: string, from: string) =>
    exported.some((name) => new RegExp(`import \\{[^}]*\\b${name}\\b[^}]*\\} from '${escapeRegExp(from)}'`).test(text));
  const base = file.split('/').at(-1)?.replace(/\.ts$/, '.js') ?? '';
  return shipped.some(({ path, text }) => {
    if (!path.startsWith('packages/monitor/')) return importsOne(text, '@mailyard/monitor');
    return importsOne(text, `./${base}`) && usedOutsideMonitor(path, seen);
  });
}

describe('the metric catalogue', () => {
  const defs = catalogue();

  test('is read (the definition format this test reads has not changed)', () => {
    expect(defs.size).toBeGreaterThan(10);
    expect([...defs.keys()]).toEqual(expect.arrayContaining(['commands', 'queueDepth', 'mailboxOpens']));
  });

  test('every metric has a writer in shipped code', () => {
    const unwritten: string[] = [];
    for (const [key, definition] of defs) {
      const write = new RegExp(`\\bmetrics\\.${key}\\.(?:inc|dec|set|observe|startTimer)\\(`);
      const writers = shipped.filter(
        ({ path, text }) => path !== 'packages/monitor/src/metrics.ts' && write.test(text),
      );
      const direct = writers.some(({ path }) => !path.startsWith('packages/monitor/'));
      const throughHelper = writers.some(
        ({ path }) => path.startsWith('packages/monitor/') && usedOutsideMonitor(path),
      );
      // A gauge read at scrape time: its collect() reads sources that shipped code registers.
      const collected = /\bcollect\(\)/.test(definition) && usedOutsideMonitor('packages/monitor/src/gauge-sources.ts');
      if (!direct && !throughHelper && !collected) unwritten.push(key);
    }
    expect(unwritten, 'catalogue metrics that nothing records').toEqual([]);
  });
});
