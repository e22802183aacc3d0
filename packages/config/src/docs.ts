// CLI: `node packages/config/dist/docs.js --write` regenerates docs/configuration.md from the schema;
// `--check` exits 1 when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_DOCS_PATH, REGENERATE_DOCS_COMMAND, renderConfigDocs } from './render-docs.js';

function readCurrent(): string | undefined {
  try {
    return readFileSync(CONFIG_DOCS_PATH, 'utf8');
  } catch {
    return undefined;
  }
}

const mode = process.argv[2];
const rendered = renderConfigDocs();

if (mode === '--write') {
  writeFileSync(CONFIG_DOCS_PATH, rendered);
  console.log(`wrote ${CONFIG_DOCS_PATH}`);
} else if (mode === '--check') {
  if (readCurrent() !== rendered) {
    console.error(`${CONFIG_DOCS_PATH} is stale; regenerate it with: ${REGENERATE_DOCS_COMMAND}`);
    process.exitCode = 1;
  }
} else {
  console.error('usage: node packages/config/dist/docs.js --write | --check');
  process.exitCode = 2;
}
