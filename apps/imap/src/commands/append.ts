/**
 * APPEND (RFC 9051 §6.3.12) with APPENDUID (RFC 4315 §3) and APPENDLIMIT (RFC 7889): through the store's one
 * ingest path; the tagged OK only after the store committed the message. An impossible date-time (31-Feb) is
 * BAD (issue 12 item 12); a missing folder NO [TRYCREATE]. When the target is the selected folder, the core's
 * flush sends `* n EXISTS` before the tagged OK. MULTIAPPEND (RFC 3502: several messages, stored all or none,
 * APPENDUID with a UID set), CATENATE (RFC 4469) and literal8 messages (RFC 3516) are read by append-items.ts.
 */
import { InputSyntaxError } from '@mailyard/errors';
import { buildCatenated, parseAppendItems } from '../append-items.js';
import type { Command } from '../protocol/command.js';
import { packSet } from '../protocol/encode.js';
import type { Session } from '../session.js';
import { mailboxArg } from './args.js';

export const append: Command<Session> = {
  name: 'APPEND',
  states: ['authenticated', 'selected'],
  literals: 'message',
  async run({ args, session }) {
    if (args.length < 2) throw new InputSyntaxError('Invalid APPEND arguments');
    const path = mailboxArg(args[0], session.utf8);
    const items = parseAppendItems(args.slice(1), session.ctx.protocol.maxKeywordsPerMessage);
    const mailbox = session.requireMailbox();
    const folder = mailbox.getFolder(path);
    if (!folder) return { status: 'NO', code: 'TRYCREATE', text: 'No such folder' };
    const messages = items.map((item) => ({
      raw: Array.isArray(item.message)
        ? buildCatenated(mailbox, item.message, session.ctx.protocol.maxMessageBytes)
        : item.message,
      opts: { flags: item.flags, ...(item.date ? { internalDate: item.date } : {}) },
    }));
    if (messages.some((m) => m.raw.length === 0)) return { status: 'NO', text: 'Empty message' };
    const results =
      messages.length === 1 && messages[0]
        ? [await mailbox.append(folder.path, messages[0].raw, messages[0].opts)]
        : await mailbox.appendMany(folder.path, messages);
    const uids = packSet(results.map((r) => r.uid));
    return {
      status: 'OK',
      code: `APPENDUID ${results[0]?.uidValidity ?? folder.uidValidity} ${uids}`,
      text: 'APPEND completed',
    };
  },
};
