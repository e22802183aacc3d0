/** GETQUOTA and GETQUOTAROOT (RFC 9208 §4.2-4.3): every folder shares the mailbox's one quota root "". */
import type { Command } from '../protocol/command.js';
import { imapString } from '../protocol/encode.js';
import type { Session } from '../session.js';
import { astring, astringBytes, expectArgs, mailboxArg } from './args.js';

function quotaLine(session: Session): string {
  const quota = session.requireMailbox().quota();
  return `QUOTA "" (STORAGE ${Math.ceil(quota.usedBytes / 1024)} ${Math.floor(quota.limitBytes / 1024)})`;
}

export const getquota: Command<Session> = {
  name: 'GETQUOTA',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 1);
    if (astring(args[0], 'quota root') !== '') {
      return { status: 'NO', code: 'NONEXISTENT', text: 'No such quota root' };
    }
    await io.untagged(quotaLine(session));
    return undefined;
  },
};

export const getquotaroot: Command<Session> = {
  name: 'GETQUOTAROOT',
  states: ['authenticated', 'selected'],
  async run({ args, session, io }) {
    expectArgs(args, 1);
    const path = mailboxArg(args[0], session.utf8);
    if (!session.requireMailbox().getFolder(path)) {
      return { status: 'NO', code: 'NONEXISTENT', text: 'No such folder' };
    }
    await io.untagged(`QUOTAROOT ${imapString(astringBytes(args[0]))} ""`);
    await io.untagged(quotaLine(session));
    return undefined;
  },
};
