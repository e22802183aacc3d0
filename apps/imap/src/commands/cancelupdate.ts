/**
 * CANCELUPDATE (RFC 5267 §4.5): `CANCELUPDATE "tag" *(SP "tag")` stops the updates of the SEARCH/SORT contexts
 * those commands' tags name (search-context.ts). A tag that names no context is BAD, and then none is cancelled.
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { astring } from './args.js';

export const cancelupdate: Command<Session> = {
  name: 'CANCELUPDATE',
  states: ['selected'],
  async run({ args, session }) {
    if (args.length === 0) throw new InputSyntaxError('CANCELUPDATE needs the tag of a search update');
    const view = session.requireView();
    const tags = args.map((token) => astring(token, 'tag'));
    for (const tag of tags) if (!view.contexts.has(tag)) throw new InputSyntaxError(`No search update with tag ${tag}`);
    for (const tag of tags) view.contexts.cancel(tag);
    return undefined;
  },
};
