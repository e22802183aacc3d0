// Reading the configuration: schema defaults < JSON config file < MAILYARD_* environment variables < overrides.
// Every value is validated by the one schema; all problems are reported together in one ConfigError that
// names the setting, its environment variable, the value given, where it came from and what is allowed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { type Config, configSchema, type DeepPartial } from './schema.js';
import { listSettings, type SettingInfo } from './settings.js';

export interface LoadConfigOptions {
  /** Environment to read MAILYARD_* variables from; default process.env. */
  env?: Record<string, string | undefined>;
  /** JSON config file; default the path in MAILYARD_CONFIG, else none. */
  file?: string;
  /** Values that win over every other source (tests, tools). */
  overrides?: DeepPartial<Config>;
}

/**
 * MAILYARD_* variables that are not settings, so they are not reported as typos: the config file's path, and the
 * passwords `mailyard export`/`import` read instead of asking on the terminal (a command's input, not a server
 * setting): the mailbox's, and that of the mailbox an encrypted copy was made from.
 */
export const NON_SETTING_ENV_VARS: readonly string[] = [
  'MAILYARD_CONFIG',
  'MAILYARD_MAILBOX_PASSWORD',
  'MAILYARD_COPY_PASSWORD',
];

/**
 * Settings that existed once and were taken out when the process they configured was merged into another: given
 * anyway (an old config file, an Ansible inventory), they are refused with what to set instead, rather than as a
 * typo or silently ignored.
 */
export const REMOVED_SETTINGS: Readonly<Record<string, { envVar: string; instead: string }>> = {
  'pop3.instances': {
    envVar: 'MAILYARD_POP3_INSTANCES',
    instead: 'POP3 is served by the imap process, set imap.instances (MAILYARD_IMAP_INSTANCES)',
  },
  'metrics.pop3Port': {
    envVar: 'MAILYARD_METRICS_POP3_PORT',
    instead: 'POP3 is served by the imap process, whose /metrics is on metrics.imapPort',
  },
  'smtp.submissionInstances': {
    envVar: 'MAILYARD_SMTP_SUBMISSION_INSTANCES',
    instead:
      'submission is served by the outbound process, set smtp.outboundInstances (MAILYARD_SMTP_OUTBOUND_INSTANCES)',
  },
  'metrics.submissionPort': {
    envVar: 'MAILYARD_METRICS_SUBMISSION_PORT',
    instead: 'submission is served by the outbound process, whose /metrics is on metrics.outboundPort',
  },
};

function removedProblem(path: string, source: string): ConfigProblem {
  const removed = REMOVED_SETTINGS[path];
  if (!removed) throw new Error(`not a removed setting: ${path}`);
  return {
    setting: path,
    source,
    message: `${path} (${removed.envVar}): removed setting (from ${source}); ${removed.instead}`,
  };
}

const REMOVED_BY_ENV_VAR = new Map(Object.entries(REMOVED_SETTINGS).map(([path, { envVar }]) => [envVar, path]));

type Tree = Record<string, unknown>;
type Sources = Map<string, string>;

const NUMERIC = /^[+-]?\d+(\.\d+)?$/;
const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  on: true,
  off: false,
};

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setPath(tree: Tree, keys: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node[key] = isTree(next) ? next : {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1] as string] = value;
}

function getPath(tree: unknown, keys: readonly PropertyKey[]): unknown {
  let node = tree;
  for (const key of keys) {
    if (!isTree(node)) return undefined;
    node = node[key as string];
  }
  return node;
}

function merge(base: Tree, over: Tree): Tree {
  const result: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = result[key];
    result[key] = isTree(current) && isTree(value) ? merge(current, value) : value;
  }
  return result;
}

function recordSources(tree: Tree, label: string, sources: Sources, prefix = ''): void {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix + key;
    if (isTree(value)) recordSources(value, label, sources, `${path}.`);
    else if (value !== undefined) sources.set(path, label);
  }
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function suggestion(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best ? ` (did you mean ${best}?)` : '';
}

function coerceEnvValue(raw: string, setting: SettingInfo): unknown {
  const value = raw.trim();
  if (setting.kind === 'integer' || setting.kind === 'number') return NUMERIC.test(value) ? Number(value) : value;
  if (setting.kind === 'boolean') return BOOLEAN_WORDS[value.toLowerCase()] ?? value;
  return value;
}

function readEnvironment(env: Record<string, string | undefined>, sources: Sources, problems: ConfigProblem[]) {
  const byEnvVar = new Map(listSettings().map((setting) => [setting.envVar, setting]));
  const tree: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('MAILYARD_') || NON_SETTING_ENV_VARS.includes(name)) continue;
    if (raw === undefined || raw.trim() === '') continue;
    const setting = byEnvVar.get(name);
    const removed = REMOVED_BY_ENV_VAR.get(name);
    if (removed) {
      problems.push({ ...removedProblem(removed, `environment variable ${name}`), envVar: name });
      continue;
    }
    if (!setting) {
      const hint = suggestion(name, [...byEnvVar.keys(), ...NON_SETTING_ENV_VARS]);
      const message = `${name}: unknown environment variable, it matches no setting${hint}`;
      problems.push({ envVar: name, source: `environment variable ${name}`, message });
      continue;
    }
    setPath(tree, setting.keys, coerceEnvValue(raw, setting));
    sources.set(setting.path, `environment variable ${name}`);
  }
  return tree;
}

function readConfigFile(path: string, via: string, problems: ConfigProblem[]): Tree {
  const source = `config file ${path} (${via})`;
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : String(error);
    problems.push({ source, message: `${source}: cannot be read: ${reason}` });
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    problems.push({ source, message: `${source}: is not valid JSON: ${(error as Error).message}` });
    return {};
  }
  if (isTree(parsed)) return parsed;
  problems.push({ source, message: `${source}: must hold a JSON object of settings` });
  return {};
}

function showValue(value: unknown, secret: boolean): string {
  if (secret) return `(hidden, ${String(value).length} characters)`;
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 100 ? `${shown.slice(0, 97)}...` : shown;
}

function sourceOf(path: string, sources: Sources): string {
  const exact = sources.get(path);
  if (exact) return exact;
  for (const [leaf, source] of sources) if (leaf.startsWith(`${path}.`)) return source;
  return 'the defaults';
}

function unknownKeyProblems(issue: z.core.$ZodIssueUnrecognizedKeys, sources: Sources): ConfigProblem[] {
  const known = listSettings().map((setting) => setting.path);
  return issue.keys.map((key) => {
    const path = [...issue.path, key].join('.');
    const source = sourceOf(path, sources);
    if (REMOVED_SETTINGS[path]) return removedProblem(path, source);
    const message = `${path}: unknown setting (from ${source})${suggestion(path, known)}`;
    return { setting: path, source, message };
  });
}

function issueProblems(issue: z.core.$ZodIssue, input: Tree, sources: Sources): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') return unknownKeyProblems(issue, sources);
  const path = issue.path.join('.');
  const source = sourceOf(path, sources);
  const setting = listSettings().find((candidate) => candidate.path === path);
  if (!setting) return [{ setting: path, source, message: `${path || 'configuration'}: ${issue.message} (${source})` }];
  const value = showValue(getPath(input, issue.path), setting.secret);
  const { envVar, allowed } = setting;
  const message = `${path} (${envVar}): got ${value} from ${source}; allowed: ${allowed}`;
  return [{ setting: path, envVar, value, allowed, source, message }];
}

/**
 * The validated configuration of this process. Throws ConfigError listing every problem: unknown
 * MAILYARD_* variables or file keys, unreadable or malformed config files, and values the schema refuses.
 */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const sources: Sources = new Map();
  const configFile = opts.file ?? (env.MAILYARD_CONFIG?.trim() || undefined);
  const fromFile = configFile
    ? readConfigFile(configFile, opts.file ? 'loadConfig file option' : 'MAILYARD_CONFIG', problems)
    : {};
  recordSources(fromFile, `config file ${configFile}`, sources);
  const fromEnv = readEnvironment(env, sources, problems);
  const overrides = (opts.overrides ?? {}) as Tree;
  recordSources(overrides, 'overrides', sources);
  const input = merge(merge(fromFile, fromEnv), overrides);
  const result = configSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...issueProblems(issue, input, sources));
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}
