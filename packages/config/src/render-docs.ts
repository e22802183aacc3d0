// docs/configuration.md, generated from the schema so it never goes stale. `src/docs.ts` writes or checks
// the file; a test fails when the committed copy differs from what this renders.
import { fileURLToPath } from 'node:url';
import { NON_SETTING_ENV_VARS } from './load.js';
import { listSections, type SectionInfo, type SettingInfo } from './settings.js';

/** docs/configuration.md of this repository (same path from src/ and from dist/). */
export const CONFIG_DOCS_PATH = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));

/** The command that regenerates the file, for error messages. */
export const REGENERATE_DOCS_COMMAND =
  'npx -y pnpm@10.34.8 --filter @mailyard/config build && npx -y pnpm@10.34.8 docs:config';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultCell(setting: SettingInfo): string {
  if (setting.defaultKind === 'value') return `\`${setting.defaultText}\``;
  return `*${setting.defaultText}*`;
}

function row(setting: SettingInfo): string {
  const allowed = setting.allowedNote ? ` Allowed: ${setting.allowedNote}.` : '';
  const cells = [
    `\`${setting.path}\``,
    `\`${setting.envVar}\``,
    setting.typeLabel,
    defaultCell(setting),
    setting.description + allowed,
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

function renderSection(section: SectionInfo): string {
  const title = section.key === '' ? 'Top level' : `\`${section.key}\``;
  return [
    `## ${title}`,
    '',
    section.description,
    '',
    '| Setting | Environment variable | Type | Default | Description |',
    '|---|---|---|---|---|',
    ...section.settings.map(row),
    '',
  ].join('\n');
}

const INTRODUCTION = `# Configuration

<!-- Generated from packages/config/src/schema.ts by renderConfigDocs(). Do not edit by hand; regenerate with:
     ${REGENERATE_DOCS_COMMAND} -->

Every process reads the same settings, each from the first of these that sets it:

1. overrides passed to \`loadConfig()\` in code (tests and tools);
2. environment variables: \`MAILYARD_\` followed by the setting path in UPPER_SNAKE case
   (\`smtp.mxPort\` is \`MAILYARD_SMTP_MX_PORT\`); an empty variable counts as unset;
3. a JSON file named by \`MAILYARD_CONFIG\`, nested like the paths: \`{ "smtp": { "mxPort": 25 } }\`;
4. the defaults below.

Numbers and booleans are parsed from environment variables (\`true\`/\`false\`, \`1\`/\`0\`, \`yes\`/\`no\`,
\`on\`/\`off\`). Sizes are bytes, or a number with a unit: \`50MB\`, \`5GB\` (K, M, G, T are powers of 1024).
Durations are milliseconds, or a number with a unit: \`30s\`, \`30m\`, \`24h\`, \`5d\`.

A \`MAILYARD_*\` variable or a config file key that names no setting is an error, so a typo cannot go
unnoticed. Variables that are not settings: ${NON_SETTING_ENV_VARS.map((name) => `\`${name}\``).join(', ')}.
All problems are reported at once, each naming the setting, its variable, the value given and what is allowed.
`;

/** The full text of docs/configuration.md. */
export function renderConfigDocs(): string {
  return [INTRODUCTION, ...listSections().map(renderSection)].join('\n');
}
