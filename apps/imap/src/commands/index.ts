/**
 * Installs Mailyard's extensions into imap-core's command table, once per process. imap-core's command modules
 * are shared objects held by its dispatch table, so replacing a module's `handler` changes that command:
 * - every command that calls a hook answers with the reply a failed hook recorded (hook-failure.ts), and a
 *   handler that throws (a parse error of ours) answers BAD/NO through @mailyard/errors instead of crashing;
 * - QRESYNC around SELECT/EXAMINE, FETCH and ENABLE (qresync.ts); our SEARCH (search.ts);
 * - IDLE answers its tagged OK before commands pipelined after DONE run (iOS Mail sends `DONE\r\nA2 ...`);
 * - the CAPABILITY list (capabilities.ts) replaces imap-core's;
 * - sequence sets with 0 are invalid (imap-core accepts them);
 * - imap-core's parser rejects a sequence set directly before ')', as in `(QRESYNC (1 2 1:10))` or
 *   `(UID 1:4)`; a failed parse is retried once with a space inserted there (outside quoted strings).
 */
import { toImapResponse } from '@mailyard/errors';
import type { CommandCallback, CommandModule, ImapConnection } from 'wildduck/imap-core';
import { type CapabilityOptions, sendCapabilities } from '../capabilities.js';
import { takeFailure } from '../hook-failure.js';
import { type CommandName, commandModule, handler as imapHandler, imapTools } from '../imap-core.js';
import { enableCommand, wrapFetch, wrapSelect } from './qresync.js';
import { searchCommand } from './search.js';

type Handler = CommandModule['handler'];

const HOOK_COMMANDS: CommandName[] = [
  'select',
  'fetch',
  'search',
  'store',
  'uid-store',
  'expunge',
  'uid-expunge',
  'copy',
  'move',
  'append',
  'list',
  'lsub',
  'status',
  'create',
  'delete',
  'rename',
  'subscribe',
  'unsubscribe',
  'getquota',
  'getquotaroot',
];

const AUTH_COMMANDS = ['login', 'authenticate-plain'] as const;

let installed = false;

export const CAPABILITY_OPTIONS = 'mailyardCapabilities';

export function installCommandExtensions(): void {
  if (installed) return;
  installed = true;
  imapTools.sendCapabilityResponse = (connection: ImapConnection) =>
    sendCapabilities(connection, connection._server.options[CAPABILITY_OPTIONS] as CapabilityOptions);
  replace('enable', enableCommand);
  replace('search', searchCommand);
  wrap('select', wrapSelect);
  wrap('fetch', wrapFetch);
  wrap('idle', answerIdleBeforePipelined);
  for (const name of [...HOOK_COMMANDS, ...AUTH_COMMANDS]) wrap(name as CommandName, mapHookFailures);
  patchParser();
  rejectZeroInSequenceSets();
}

/** RFC 3501 §9: seq-number is nz-number; imap-core's check lets 0 through. */
function rejectZeroInSequenceSets(): void {
  const validate = imapTools.validateSequence;
  imapTools.validateSequence = (range) => validate(range) && !/(^|[,:])0+(?=$|[,:])/.test(range);
}

function replace(name: CommandName, handler: Handler): void {
  commandModule(name).handler = handler;
}

function wrap(name: CommandName, wrapper: (original: Handler) => Handler): void {
  const module = commandModule(name);
  module.handler = wrapper(module.handler);
}

function mapHookFailures(original: Handler): Handler {
  return function withFailureMapping(this: ImapConnection, command, callback, next) {
    const session = this.session;
    const mapped: CommandCallback = (err, result) => {
      const failure = takeFailure(session);
      if (failure) return callback(null, failure);
      callback(err, result);
    };
    try {
      original.call(this, command, mapped, next);
    } catch (err) {
      const reply = toImapResponse(err);
      callback(null, { response: reply.status, code: reply.code ?? false, message: reply.text });
    }
  };
}

/** Runs the DONE continuation's reply before letting the parser read the next pipelined command. */
function answerIdleBeforePipelined(original: Handler): Handler {
  return function idle(this: ImapConnection, command, callback, next) {
    original.call(this, command, callback, next);
    const onDone = this._nextHandler;
    if (typeof onDone !== 'function') return;
    this._nextHandler = (token, resume) => {
      let resumeRequested = false;
      onDone(token, () => {
        resumeRequested = true;
      });
      if (resumeRequested) resume();
    };
  };
}

function patchParser(): void {
  const parse = imapHandler.parser;
  imapHandler.parser = (payload, options) => {
    try {
      return parse(payload, options);
    } catch (err) {
      const spaced = spaceBeforeCloseParen(payload);
      if (spaced === payload) throw err;
      return parse(spaced, options);
    }
  };
}

/** Inserts a space between a sequence-set character and ')' outside quoted strings. */
export function spaceBeforeCloseParen(payload: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < payload.length; i++) {
    const ch = payload[i] ?? '';
    if (ch === '"' && payload[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && ch === ')' && /[\d*]/.test(payload[i - 1] ?? '')) out += ' ';
    out += ch;
  }
  return out;
}
