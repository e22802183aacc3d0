/**
 * The dispatch table: every command the server knows, each with the states it is valid in (RFC 9051 §6).
 * One file per command (or per pair sharing one implementation, such as SELECT/EXAMINE or FETCH/UID FETCH).
 * Extensions add their commands here and their capabilities in ../capabilities.ts.
 */
import type { Command } from '../protocol/command.js';
import type { Session } from '../session.js';
import { append } from './append.js';
import { authenticate } from './authenticate.js';
import { cancelupdate } from './cancelupdate.js';
import { capability } from './capability.js';
import { close, unselect } from './close.js';
import { compress } from './compress.js';
import { copy, move, uidCopy, uidMove } from './copy.js';
import { enable } from './enable.js';
import { esearch, uidEsearch } from './esearch.js';
import { expunge, uidExpunge } from './expunge.js';
import { fetch, uidFetch } from './fetch.js';
import { create, deleteFolder, rename, subscribe, unsubscribe } from './folders.js';
import { id } from './id.js';
import { idle } from './idle.js';
import { lsub } from './list.js';
import { list } from './list-extended.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { namespace } from './namespace.js';
import { check, noop } from './noop.js';
import { notify } from './notify.js';
import { getquota, getquotaroot, setquota } from './quota.js';
import { examine, select } from './select.js';
import { sort, uidSort } from './sort.js';
import { starttls } from './starttls.js';
import { status } from './status.js';
import { store, uidStore } from './store.js';
import { thread, uidThread } from './thread.js';
// FETCH items of extensions (BINARY, PREVIEW, EMAILID, THREADID, SAVEDATE) register with fetch-items.ts.
import '../fetch-extensions.js';

export const COMMANDS: Array<Command<Session>> = [
  capability,
  noop,
  logout,
  starttls,
  login,
  authenticate,
  enable,
  id,
  namespace,
  select,
  examine,
  create,
  deleteFolder,
  rename,
  subscribe,
  unsubscribe,
  list,
  lsub,
  status,
  append,
  check,
  close,
  unselect,
  expunge,
  uidExpunge,
  esearch,
  uidEsearch,
  sort,
  uidSort,
  thread,
  uidThread,
  cancelupdate,
  fetch,
  uidFetch,
  store,
  uidStore,
  copy,
  uidCopy,
  move,
  uidMove,
  idle,
  notify,
  getquota,
  getquotaroot,
  setquota,
  compress,
];
