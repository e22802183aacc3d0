import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CONFIG_DOCS_PATH, REGENERATE_DOCS_COMMAND, renderConfigDocs } from './render-docs.js';
import { envVarFor, listSections, listSettings } from './settings.js';

describe('the settings catalogue', () => {
  test('names environment variables from the path in UPPER_SNAKE case', () => {
    expect(envVarFor(['smtp', 'mxPort'])).toBe('MAILYARD_SMTP_MX_PORT');
    expect(envVarFor(['mongodbUri'])).toBe('MAILYARD_MONGODB_URI');
    expect(envVarFor(['metrics', 'imapPort'])).toBe('MAILYARD_METRICS_IMAP_PORT');
  });

  test('every setting has a description and either a default or a documented unset meaning', () => {
    const settings = listSettings();
    expect(settings.length).toBeGreaterThan(60);
    for (const setting of settings) {
      expect(setting.description.length, setting.path).toBeGreaterThan(10);
      expect(setting.defaultText, setting.path).not.toBe('');
    }
    const unset = settings.filter((setting) => setting.defaultKind === 'unset').map((setting) => setting.path);
    expect(unset).toEqual(expect.arrayContaining(['masterKey', 'mongodbUri', 'redisUrl', 'dns.resolver']));
  });

  test('no two settings share an environment variable', () => {
    const names = listSettings().map((setting) => setting.envVar);
    expect(new Set(names).size).toBe(names.length);
  });

  test('every section has a description', () => {
    for (const section of listSections()) expect(section.description, section.key).not.toBe('');
  });

  test('sizes and durations print with their unit', () => {
    const byPath = new Map(listSettings().map((setting) => [setting.path, setting]));
    expect(byPath.get('smtp.maxMessageSize')?.defaultText).toBe('52428800 (50 MiB)');
    expect(byPath.get('imap.idleTimeoutMs')?.defaultText).toBe('1800000 (30 min)');
    expect(byPath.get('smtp.outboundMaxAgeMs')?.defaultText).toBe('432000000 (5 days)');
    expect(byPath.get('smtp.mxPort')?.typeLabel).toBe('integer 0..65535');
  });
});

describe('docs/configuration.md', () => {
  test('lists every setting with its environment variable', () => {
    const docs = renderConfigDocs();
    for (const setting of listSettings()) {
      expect(docs).toContain(`| \`${setting.path}\` | \`${setting.envVar}\` |`);
    }
  });

  test('the committed file matches the schema', () => {
    let committed = '';
    try {
      committed = readFileSync(CONFIG_DOCS_PATH, 'utf8');
    } catch {
      // A missing file fails the comparison below with the same advice.
    }
    const fresh = committed === renderConfigDocs();
    expect(fresh, `docs/configuration.md is stale; regenerate it with: ${REGENERATE_DOCS_COMMAND}`).toBe(true);
  });
});
