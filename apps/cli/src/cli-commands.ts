/**
 * Commands of the `mailyard` CLI, for the first steps on a new server. They work directly on the data dir
 * (control.db and the mail store) through the same code as the REST API, so they need no running api process.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@mailyard/config';
import {
  addDomain,
  type ControlStore,
  checkDomain,
  type DnsRecord,
  type Domain,
  defaultResolver,
  domainToDisplay,
  expectedRecords,
  generateMailboxPassword,
  issueMailboxPassword,
  splitAddress,
  type TxtMxResolver,
} from '@mailyard/control';
import type { Mailstore } from '@mailyard/mailstore';
import { openStores } from '@mailyard/runtime';
import type { ProgressSink } from './progress.js';
import { exportCommand, importCommand, TransferUsageError } from './transfer-commands.js';

export const USAGE = `Usage: mailyard <command> [options]

  create-account <email> [--password <pw>] [--admin]   create an account; prints its API token
  add-domain <domain> --account <email> [--verified]   add a domain; prints the DNS records to publish.
                                                       A domain receives mail (is hosted for routing) only once
                                                       verified: its TXT record found by \`dns --check\`, the
                                                       hourly check or the API, or --verified here, which marks
                                                       it verified by the operator at once (use it only for
                                                       domains you know to be the account's)
  verify-domain <domain> [--revoke]                    mark a domain verified by the operator; --revoke unmarks it
  list-domains                                         every domain with its account and verification
  add-mailbox <address> [--password <pw>]              create an alias with a mailbox; prints its password
  dns <domain> [--check]                               print a domain's DNS records; --check queries DNS (and
                                                       verifies the domain when its TXT record is found)
  export <address> --format mbox|maildir|eml-zip|sqlite --output <path> [--folder <folder>]
                                                       export a mailbox (or one folder) with flags and dates;
                                                       sqlite is an encrypted copy of the whole mailbox that
                                                       only its password or recovery key opens
  import <address> <path> [--format mbox|maildir|eml|zip] [--folder <folder>]
                                                       import an mbox, Maildir tree, .eml file or directory, or a
                                                       zip of .eml files (format detected), or restore an
                                                       encrypted copy (its password from MAILYARD_COPY_PASSWORD
                                                       or a prompt; default the mailbox's); duplicates are skipped
                                                       export and import ask for the mailbox password, or take it
                                                       from MAILYARD_MAILBOX_PASSWORD; both work while the server runs

Configuration comes from MAILYARD_* variables (MAILYARD_DATA_DIR, MAILYARD_HOSTNAME, ...).`;

export interface CliIo {
  env?: Record<string, string | undefined>;
  out: (line: string) => void;
  /** Where export and import draw their progress line (stderr on a terminal). */
  progress?: ProgressSink;
  /** Asks for a secret without echo; absent when there is no terminal. */
  prompt?: (question: string) => Promise<string>;
}

interface Context {
  control: ControlStore;
  mailstore: Mailstore;
  hostname: string;
  resolver: TxtMxResolver;
  out: (line: string) => void;
  env: Record<string, string | undefined>;
  progress?: ProgressSink;
  prompt?: (question: string) => Promise<string>;
}

class UsageError extends Error {}

type Options = Record<string, string | boolean | undefined>;

/** Zone-file form; TXT values over 255 bytes become several quoted strings of one record (RFC 1035 §3.3.14). */
function formatRecord(record: DnsRecord): string {
  const strings = record.value.match(/.{1,255}/g) ?? [''];
  const value = record.type === 'MX' ? `${record.priority} ${record.value}.` : strings.map((s) => `"${s}"`).join(' ');
  return `${record.name}.\t${record.type}\t${value}`;
}

async function domainByName(control: ControlStore, name: string): Promise<Domain> {
  const domain = await control.findDomainByName(name);
  if (!domain) throw new UsageError(`unknown domain: ${name}`);
  return domain;
}

async function createAccount(ctx: Context, [email]: string[], opts: Options): Promise<void> {
  if (!email) throw new UsageError('create-account needs an email address');
  const generated = typeof opts.password !== 'string';
  const password = typeof opts.password === 'string' ? opts.password : generateMailboxPassword();
  // The store makes the first account an administrator on its own, atomically.
  const account = await ctx.control.createAccount({ email, password, isAdmin: opts.admin === true });
  const issued = await ctx.control.createToken(account.id, 'cli');
  ctx.out(`account ${account.email}${account.isAdmin ? ' (administrator)' : ''}`);
  if (generated) ctx.out(`password: ${password}`);
  ctx.out(`API token (shown once): ${issued.secret}`);
}

async function accountFor(ctx: Context, email: unknown): Promise<string> {
  if (typeof email !== 'string') throw new UsageError('name the owner with --account <email>');
  const account = await ctx.control.findAccountByEmail(email);
  if (!account) throw new UsageError(`unknown account: ${email}`);
  return account.id;
}

async function addDomainCommand(ctx: Context, [name]: string[], opts: Options): Promise<void> {
  if (!name) throw new UsageError('add-domain needs a domain name');
  const accountId = await accountFor(ctx, opts.account);
  const domain = await addDomain(ctx.control, { accountId, name, verified: opts.verified === true });
  ctx.out(`domain ${domainToDisplay(domain.name)} (${domain.name}) added. Publish these DNS records:`);
  for (const record of expectedRecords(domain, ctx.hostname)) ctx.out(formatRecord(record));
  ctx.out(verificationLine(domain));
}

function verificationLine(domain: Domain): string {
  if (domain.verifiedBy === 'dns') return 'verified: yes (its TXT record was found); it receives mail';
  if (domain.verifiedBy === 'admin') return 'verified: yes (marked by an administrator); it receives mail';
  if (domain.verifiedBy) return 'verified: yes (it existed before verification was required); it receives mail';
  return 'verified: no; it receives mail once its verification TXT record is found (mailyard dns <domain> --check)';
}

async function verifyDomainCommand(ctx: Context, [name]: string[], opts: Options): Promise<void> {
  if (!name) throw new UsageError('verify-domain needs a domain name');
  const domain = await domainByName(ctx.control, name);
  const marked = await ctx.control.setDomainVerification(domain.id, opts.revoke === true ? null : 'admin');
  ctx.out(`domain ${domain.name}: ${verificationLine(marked ?? domain)}`);
}

async function listDomainsCommand(ctx: Context): Promise<void> {
  for (const domain of await ctx.control.listAllDomains()) {
    const owner = await ctx.control.getAccount(domain.accountId);
    const state = domain.verifiedBy ? `verified (${domain.verifiedBy})` : 'not verified';
    ctx.out(`${domain.name}\t${owner?.email ?? domain.accountId}\t${state}`);
  }
}

async function addMailbox(ctx: Context, [address]: string[], opts: Options): Promise<void> {
  const parts = address ? splitAddress(address) : null;
  if (!parts) throw new UsageError('add-mailbox needs an address such as me@example.com');
  const domain = await domainByName(ctx.control, parts.domain);
  const alias =
    (await ctx.control.findAlias(domain.id, parts.local)) ??
    (await ctx.control.createAlias(domain.id, { name: parts.local, hasImap: true }));
  const newPassword = typeof opts.password === 'string' ? opts.password : undefined;
  const issued = await issueMailboxPassword(ctx.control, ctx.mailstore, alias, { newPassword });
  ctx.out(`mailbox ${alias.name}@${domainToDisplay(domain.name)}`);
  ctx.out(`login: ${alias.name}@${domain.name}`);
  ctx.out(`password (shown once): ${issued.password}`);
  if (issued.recoveryKey)
    ctx.out(`recovery key (shown once; without it a lost password means lost mail): ${issued.recoveryKey}`);
}

async function dnsCommand(ctx: Context, [name]: string[], opts: Options): Promise<void> {
  if (!name) throw new UsageError('dns needs a domain name');
  const domain = await domainByName(ctx.control, name);
  if (opts.check !== true) {
    for (const record of expectedRecords(domain, ctx.hostname)) ctx.out(formatRecord(record));
    return;
  }
  const checked = await checkDomain(ctx.control, domain, { hostname: ctx.hostname, resolver: ctx.resolver });
  for (const record of checked.records) {
    ctx.out(`${record.status.toUpperCase().padEnd(7)} ${formatRecord(record)}`);
    if (record.status === 'wrong') ctx.out(`        found: ${record.found.join(' | ')}`);
  }
  ctx.out(verificationLine(checked.domain));
}

const COMMANDS: Record<string, (ctx: Context, args: string[], opts: Options) => Promise<void>> = {
  'create-account': createAccount,
  'add-domain': addDomainCommand,
  'verify-domain': verifyDomainCommand,
  'list-domains': listDomainsCommand,
  'add-mailbox': addMailbox,
  dns: dnsCommand,
  export: exportCommand,
  import: importCommand,
};

/** Runs one command; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      password: { type: 'string' },
      account: { type: 'string' },
      admin: { type: 'boolean' },
      check: { type: 'boolean' },
      verified: { type: 'boolean' },
      revoke: { type: 'boolean' },
      format: { type: 'string' },
      output: { type: 'string' },
      folder: { type: 'string' },
    },
  });
  const [command, ...args] = positionals;
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    io.out(USAGE);
    return 2;
  }
  const config = loadConfig({ env: io.env });
  const stores = await openStores(config);
  const ctx: Context = {
    control: stores.control,
    mailstore: stores.mailstore,
    hostname: config.hostname,
    resolver: defaultResolver(config),
    out: io.out,
    env: io.env ?? process.env,
    progress: io.progress,
    prompt: io.prompt,
  };
  try {
    await run(ctx, args, values);
    return 0;
  } catch (err) {
    io.out(`error: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof UsageError || err instanceof TransferUsageError ? 2 : 1;
  } finally {
    await stores.close();
  }
}
