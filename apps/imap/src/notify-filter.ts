/**
 * The arguments of NOTIFY SET (RFC 5465 §3.1, grammar §8): `NOTIFY SET [STATUS] event-group *(SP event-group)`,
 * each group `(filter-mailboxes events)`. Pure parsing and checks; notify-session.ts acts on the result.
 * - filters: SELECTED, SELECTED-DELAYED, INBOXES, PERSONAL, SUBSCRIBED, SUBTREE names, MAILBOXES names (§6);
 * - events: MessageNew [(fetch-att ...)], MessageExpunge, FlagChange, MailboxName, SubscriptionChange (§5), or
 *   NONE. AnnotationChange, MailboxMetadataChange, ServerMetadataChange and unknown events are refused with
 *   NO [BADEVENT (the events we support)] (§5, §5.9): there is no ANNOTATE or METADATA here;
 * - BAD (§5.1, §5.2): MessageNew without MessageExpunge or the other way round, FlagChange without both, a
 *   fetch-att list other than after MessageNew of a SELECTED/SELECTED-DELAYED group, mailbox events for the
 *   selected folder, more than one SELECTED/SELECTED-DELAYED group, and malformed groups.
 */
import { InputSyntaxError, UserError } from '@mailyard/errors';
import { atom, list, mailboxArg } from './commands/args.js';
import { parseFetchItem } from './fetch-items.js';
import type { Token } from './protocol/types.js';

export type FilterKind =
  | 'SELECTED'
  | 'SELECTED-DELAYED'
  | 'INBOXES'
  | 'PERSONAL'
  | 'SUBSCRIBED'
  | 'SUBTREE'
  | 'MAILBOXES';
export type NotifyEvent = 'MessageNew' | 'MessageExpunge' | 'FlagChange' | 'MailboxName' | 'SubscriptionChange';

export const SUPPORTED_EVENTS: readonly NotifyEvent[] = [
  'MessageNew',
  'MessageExpunge',
  'FlagChange',
  'MailboxName',
  'SubscriptionChange',
];
const BY_NAME = new Map(SUPPORTED_EVENTS.map((e) => [e.toUpperCase(), e]));
const MESSAGE_EVENTS = new Set<NotifyEvent>(['MessageNew', 'MessageExpunge', 'FlagChange']);
const FILTERS = new Set<string>([
  'SELECTED',
  'SELECTED-DELAYED',
  'INBOXES',
  'PERSONAL',
  'SUBSCRIBED',
  'SUBTREE',
  'MAILBOXES',
]);

export interface EventGroup {
  filter: FilterKind;
  /** SUBTREE and MAILBOXES: the store paths named. */
  paths: string[];
  /** Empty for NONE: the filter's folders send nothing. */
  events: ReadonlySet<NotifyEvent>;
  /** MessageNew's fetch-att (SELECTED groups): FETCH items sent with each new message. */
  fetchItems: string[];
}

export interface NotifySpec {
  /** `NOTIFY SET STATUS`: a STATUS response now for each folder the message events watch (§3.1). */
  status: boolean;
  groups: EventGroup[];
}

/** NO [BADEVENT (...)]: the event is valid syntax but not offered here. */
function badEvent(name: string): UserError {
  return new UserError(`Event ${name} is not supported`, { code: `BADEVENT (${SUPPORTED_EVENTS.join(' ')})` });
}

export function isSelectedFilter(filter: FilterKind): boolean {
  return filter === 'SELECTED' || filter === 'SELECTED-DELAYED';
}

/** The events list of one group, with MessageNew's fetch-att. */
function parseEvents(token: Token | undefined, filter: FilterKind): Pick<EventGroup, 'events' | 'fetchItems'> {
  if (token?.type === 'atom' && token.value.toUpperCase() === 'NONE') return { events: new Set(), fetchItems: [] };
  const items = list(token, 'events');
  if (items.length === 0) throw new InputSyntaxError('Empty event list');
  const events = new Set<NotifyEvent>();
  let fetchItems: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const name = atom(items[i], 'event');
    const event = BY_NAME.get(name.toUpperCase());
    if (!event) throw badEvent(name);
    events.add(event);
    if (event === 'MessageNew' && items[i + 1]?.type === 'list') fetchItems = parseFetchAtts(items[++i], filter);
  }
  return { events, fetchItems };
}

/** §5.2: fetch-att after MessageNew, only where the folder is selected; nothing that would set \Seen. */
function parseFetchAtts(token: Token | undefined, filter: FilterKind): string[] {
  if (!isSelectedFilter(filter)) throw new InputSyntaxError('MessageNew fetch attributes need SELECTED');
  const names = list(token, 'fetch attributes').map((t) => atom(t, 'fetch attribute'));
  if (names.length === 0) throw new InputSyntaxError('Empty fetch attribute list');
  for (const name of names) {
    if (parseFetchItem(name).setsSeen) throw new InputSyntaxError(`${name} would set \\Seen; use BODY.PEEK`);
  }
  return names;
}

/** §5.1, §5.2: the rules that tie message events together, and what a SELECTED group may ask. */
function checkGroup(group: EventGroup): void {
  const { events } = group;
  if (events.has('MessageNew') !== events.has('MessageExpunge')) {
    throw new InputSyntaxError('MessageNew and MessageExpunge go together');
  }
  if (events.has('FlagChange') && !events.has('MessageNew')) {
    throw new InputSyntaxError('FlagChange needs MessageNew and MessageExpunge');
  }
  if (isSelectedFilter(group.filter) && [...events].some((e) => !MESSAGE_EVENTS.has(e))) {
    throw new InputSyntaxError('Only message events apply to the selected folder');
  }
}

function parseGroup(token: Token, utf8: boolean): EventGroup {
  const items = list(token, 'event group');
  const filter = atom(items[0], 'mailbox filter').toUpperCase();
  if (!FILTERS.has(filter)) throw new InputSyntaxError(`Unknown mailbox filter ${filter}`);
  const kind = filter as FilterKind;
  let at = 1;
  let paths: string[] = [];
  if (kind === 'SUBTREE' || kind === 'MAILBOXES') {
    const names = items[at++];
    paths = (names?.type === 'list' ? names.items : [names]).map((n) => mailboxArg(n, utf8));
    if (paths.length === 0) throw new InputSyntaxError('No mailbox names');
  }
  if (items.length !== at + 1) throw new InputSyntaxError('An event group is a filter and its events');
  const group: EventGroup = { filter: kind, paths, ...parseEvents(items[at], kind) };
  checkGroup(group);
  return group;
}

/** The arguments after `SET`. */
export function parseNotifySet(args: Token[], utf8: boolean): NotifySpec {
  let rest = args;
  const status = rest[0]?.type === 'atom' && rest[0].value.toUpperCase() === 'STATUS';
  if (status) rest = rest.slice(1);
  if (rest.length === 0) throw new InputSyntaxError('NOTIFY SET needs an event group');
  const groups = rest.map((token) => parseGroup(token, utf8));
  if (groups.filter((g) => isSelectedFilter(g.filter)).length > 1) {
    throw new InputSyntaxError('One SELECTED or SELECTED-DELAYED group at most');
  }
  return { status, groups };
}
