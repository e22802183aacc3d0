#!/usr/bin/env node
/**
 * @mailyard/cli: the `mailyard` command (commands in cli-commands.ts), `pnpm mailyard create-account me@example.com`.
 * It opens the control store and mail store of the data dir itself (no running process needed); run it as the
 * user that owns the data dir (the Ansible role installs a wrapper that does).
 */
import { runCli } from './cli-commands.js';
import { promptSecret } from './prompt.js';

const code = await runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  progress: { write: (text) => process.stderr.write(text), interactive: process.stderr.isTTY === true },
  prompt: process.stdin.isTTY ? promptSecret : undefined,
});
process.exitCode = code;
