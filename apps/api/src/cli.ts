#!/usr/bin/env node
/** The `mailyard` command (see cli-commands.ts): `pnpm mailyard create-account me@example.com`. */
import { runCli } from './cli-commands.js';

const code = await runCli(process.argv.slice(2), { out: (line) => console.log(line) });
process.exitCode = code;
