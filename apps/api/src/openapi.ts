/**
 * The OpenAPI 3.1 description of /v1, served at /v1/openapi.json. Request bodies come from the zod schemas
 * (JSON Schema draft 2020-12, the dialect of OpenAPI 3.1); operations are listed by hand, and a test checks that
 * they match the router's routes exactly.
 */
import { z } from 'zod';
import * as out from './responses.js';
import { emailOperations } from './routes/email-operations.js';
import { folderCopy, folderCopyOut, folderCreate, folderOut, folderUpdate } from './routes/folders.js';
import { logOperations } from './routes/logs.js';
import { memberOperations } from './routes/members.js';
import * as mail from './routes/message-shapes.js';
import { sieveScriptCreate, sieveScriptOut, sieveScriptUpdate } from './routes/sieve-shapes.js';
import { spamClassifierOut } from './routes/spam-classifier.js';
import { spamSettingsOut, spamSettingsUpdate } from './routes/spam-settings.js';
import { exportQuery, importQuery, importStatusOut } from './routes/transfer.js';
import { webhookOperations } from './routes/webhooks.js';
import * as schemas from './schemas.js';

export interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  /** Response body; lists are arrays of it. */
  reply?: z.ZodType;
  paged?: boolean;
  status: number;
  /** 'mailbox': HTTP Basic with the mailbox address and password instead of a token (mailbox-auth.ts). */
  auth?: 'required' | 'optional' | 'none' | 'mailbox' | 'token-or-mailbox';
  /** Query parameters (instead of the generic paging ones). */
  query?: z.ZodObject;
  /** The body may also be a raw message (message/rfc822), or the reply is one when asked (`?eml=true`). */
  rawMessage?: boolean;
  /** Media types of a successful reply other than JSON (a file download). */
  produces?: string[];
  /** Media types of a request body that is a file rather than JSON (an upload; 413 above its limit). */
  accepts?: string[];
  /** The download honours Range requests (206; 416 for a range past its end). */
  ranges?: boolean;
}

/** The six Sieve operations under `base`, for account tokens or the mailbox's own credentials. */
function sieveOperations(base: string, whose: string, auth?: 'mailbox'): Operation[] {
  const item = `${base}/{script}`;
  return [
    {
      method: 'get',
      path: base,
      summary: `List ${whose} Sieve scripts`,
      reply: z.array(sieveScriptOut),
      status: 200,
      auth,
    },
    {
      method: 'post',
      path: base,
      summary: `Add a Sieve script to ${whose} (checked first: a syntax error is a 400 with its line and column)`,
      body: sieveScriptCreate,
      reply: sieveScriptOut,
      status: 201,
      auth,
    },
    { method: 'get', path: item, summary: 'A Sieve script', reply: sieveScriptOut, status: 200, auth },
    {
      method: 'put',
      path: item,
      summary: 'Update a Sieve script (name, content, is_active)',
      body: sieveScriptUpdate,
      reply: sieveScriptOut,
      status: 200,
      auth,
    },
    { method: 'delete', path: item, summary: 'Delete a Sieve script (also the active one)', status: 204, auth },
    {
      method: 'post',
      path: `${item}/activate`,
      summary: 'Make this the active script (the one delivery runs); the others become inactive',
      reply: sieveScriptOut,
      status: 200,
      auth,
    },
  ];
}

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/openapi.json', summary: 'This document', status: 200, auth: 'none' },
  {
    method: 'post',
    path: '/account',
    summary: 'Create an account; returns its first API token once',
    body: schemas.accountCreate,
    reply: out.signUpOut,
    status: 201,
    auth: 'optional',
  },
  { method: 'get', path: '/account', summary: 'The authenticated account', reply: out.accountOut, status: 200 },
  {
    method: 'get',
    path: '/tokens',
    summary: 'List API tokens (secrets are never shown again)',
    reply: z.array(out.tokenOut),
    status: 200,
  },
  {
    method: 'post',
    path: '/tokens',
    summary: 'Create an API token',
    body: schemas.tokenCreate,
    reply: out.issuedTokenOut,
    status: 201,
  },
  { method: 'delete', path: '/tokens/{id}', summary: 'Revoke an API token', status: 204 },
  {
    method: 'get',
    path: '/domains',
    summary: 'List domains',
    reply: z.array(out.domainSummaryOut),
    paged: true,
    status: 200,
  },
  {
    method: 'post',
    path: '/domains',
    summary: 'Add a domain (not hosted for routing until verified; `verified: true` is for administrators)',
    body: schemas.domainCreate,
    reply: out.domainOut,
    status: 201,
  },
  {
    method: 'get',
    path: '/domains/{domain}',
    summary: 'A domain with its DNS records',
    reply: out.domainOut,
    status: 200,
  },
  {
    method: 'put',
    path: '/domains/{domain}',
    summary: 'Update a domain',
    body: schemas.domainUpdate,
    reply: out.domainOut,
    status: 200,
  },
  { method: 'delete', path: '/domains/{domain}', summary: 'Delete a domain, its aliases and mailboxes', status: 204 },
  {
    method: 'get',
    path: '/domains/{domain}/verify-records',
    summary: 'Check the DNS records of a domain; the ownership record found verifies it',
    reply: out.verifyRecordsOut,
    status: 200,
  },
  {
    method: 'get',
    path: '/domains/{domain}/spam-settings',
    summary: 'Spam filter settings of a domain: thresholds (null: server default), greylisting, allow/block lists',
    reply: spamSettingsOut,
    status: 200,
  },
  {
    method: 'put',
    path: '/domains/{domain}/spam-settings',
    summary: 'Change spam filter settings; fields not named stay, a list given replaces the whole list',
    body: spamSettingsUpdate,
    reply: spamSettingsOut,
    status: 200,
  },
  {
    method: 'get',
    path: '/domains/{domain}/aliases/{alias}/spam-settings',
    summary: "The spam filter settings that apply to mail for an alias (its domain's)",
    reply: spamSettingsOut,
    status: 200,
  },
  {
    method: 'put',
    path: '/admin/domains/{domain}/verification',
    summary: "Administrators: mark any account's domain verified (hosted for routing) or not",
    body: schemas.domainVerification,
    reply: out.domainOut,
    status: 200,
  },
  {
    method: 'get',
    path: '/domains/{domain}/aliases',
    summary: 'List aliases',
    reply: z.array(out.aliasOut),
    paged: true,
    query: schemas.aliasListQuery,
    status: 200,
  },
  {
    method: 'post',
    path: '/domains/{domain}/aliases',
    summary: 'Create an alias',
    body: schemas.aliasCreate,
    reply: out.aliasOut,
    status: 201,
  },
  { method: 'get', path: '/domains/{domain}/aliases/{alias}', summary: 'An alias', reply: out.aliasOut, status: 200 },
  {
    method: 'put',
    path: '/domains/{domain}/aliases/{alias}',
    summary: 'Update an alias',
    body: schemas.aliasUpdate,
    reply: out.aliasOut,
    status: 200,
  },
  {
    method: 'delete',
    path: '/domains/{domain}/aliases/{alias}',
    summary: 'Delete an alias and its mailbox',
    status: 204,
  },
  {
    method: 'get',
    path: '/domains/{domain}/aliases/{alias}/recipient-verifications',
    summary: "The alias's external forward recipients under verification (pending until verified_at)",
    reply: out.recipientVerificationsOut,
    status: 200,
  },
  {
    method: 'post',
    path: '/domains/{domain}/aliases/{alias}/recipient-verifications/resend',
    summary:
      'Email a recipient that has not confirmed a new verification link (the previous one stops working); ' +
      'at most once per 10 minutes per recipient (429 with Retry-After)',
    body: schemas.recipientVerificationResend,
    reply: out.recipientResentOut,
    status: 200,
  },
  {
    method: 'get',
    path: '/aliases/verify',
    summary:
      "The page of a verification email's link: which recipient and alias it is for, with a button that confirms " +
      '(text/html; JSON with Accept: application/json). Changes nothing: mail scanners fetch links on their own',
    query: schemas.recipientVerificationQuery,
    reply: out.recipientVerificationOut,
    produces: ['text/html'],
    status: 200,
    auth: 'none',
  },
  {
    method: 'post',
    path: '/aliases/verify',
    summary:
      'Confirm a forward recipient with the token of its verification email in the body (the token is the ' +
      'credential); a second confirmation keeps the first. text/html for a browser form, else JSON',
    body: schemas.recipientVerificationConfirm,
    reply: out.recipientVerifiedOut,
    produces: ['text/html'],
    status: 200,
    auth: 'none',
  },
  {
    method: 'post',
    path: '/domains/{domain}/aliases/{alias}/generate-password',
    summary: 'Create the mailbox or set a new mailbox password; the password is shown once',
    body: schemas.generatePassword,
    reply: out.mailboxPasswordOut,
    status: 201,
  },
  ...sieveOperations('/domains/{domain}/aliases/{alias}/sieve', "an alias's"),
  ...sieveOperations('/sieve-scripts', "the authenticated mailbox's", 'mailbox'),
  ...mailboxOperations(),
  ...emailOperations(),
  ...webhookOperations(),
  ...memberOperations(),
  ...logOperations(),
];

/**
 * /messages, /folders and /spam-classifier: the authenticated mailbox's mail and what it has learnt (routes/messages.ts,
 * routes/folders.ts, routes/spam-classifier.ts).
 */
function mailboxOperations(): Operation[] {
  const auth = 'mailbox' as const;
  const message = '/messages/{message}';
  const folder = '/folders/{folder}';
  return [
    {
      method: 'get',
      path: '/messages',
      summary: 'List messages of a folder, newest first, with filters (text uses the full-text index)',
      query: mail.messageListQuery,
      reply: z.array(mail.messageSummaryOut),
      paged: true,
      status: 200,
      auth,
    },
    {
      method: 'post',
      path: '/messages',
      summary: 'Store a message in a folder (APPEND): raw as message/rfc822 (folder in ?folder=), or as JSON',
      query: mail.messageCreateQuery,
      body: mail.messageCreate,
      rawMessage: true,
      reply: mail.messageSummaryOut,
      status: 201,
      auth,
    },
    {
      method: 'get',
      path: message,
      summary: 'A message: headers, text, HTML, attachments; ?eml=true for the raw message (as IMAP BODY[])',
      query: mail.messageGetQuery,
      rawMessage: true,
      reply: mail.messageOut,
      status: 200,
      auth,
    },
    {
      method: 'put',
      path: message,
      summary: 'Set flags or keywords, or move to another folder',
      query: mail.messageGetQuery.pick({ folder: true }),
      body: mail.messageUpdate,
      reply: mail.messageSummaryOut,
      status: 200,
      auth,
    },
    {
      method: 'delete',
      path: message,
      summary: 'Move a message to Trash, or expunge it (?expunge=true, or when it is in Trash)',
      query: mail.messageDeleteQuery,
      status: 204,
      auth,
    },
    {
      method: 'get',
      path: '/folders',
      summary: 'List folders with their counts',
      reply: z.array(folderOut),
      status: 200,
      auth,
    },
    {
      method: 'post',
      path: '/folders',
      summary: 'Create a folder',
      body: folderCreate,
      reply: folderOut,
      status: 201,
      auth,
    },
    { method: 'get', path: folder, summary: 'A folder with its counts', reply: folderOut, status: 200, auth },
    {
      method: 'put',
      path: folder,
      summary: 'Rename a folder (it keeps its id) or change its subscription',
      body: folderUpdate,
      reply: folderOut,
      status: 200,
      auth,
    },
    { method: 'delete', path: folder, summary: 'Delete a folder and its messages (not INBOX)', status: 204, auth },
    {
      method: 'post',
      path: `${folder}/copy`,
      summary: 'Copy messages (by id) into this folder',
      body: folderCopy,
      reply: folderCopyOut,
      status: 200,
      auth,
    },
    {
      method: 'get',
      path: '/spam-classifier',
      summary:
        "The mailbox's own spam classifier: messages trained as spam and as ham, tokens kept and their cap, the threshold, whether it files new mail into Junk yet",
      reply: spamClassifierOut,
      status: 200,
      auth,
    },
    {
      method: 'delete',
      path: '/spam-classifier',
      summary: "Forget everything the mailbox's spam classifier has learnt (it files nothing until trained again)",
      status: 204,
      auth,
    },
    {
      method: 'get',
      path: '/export',
      summary:
        'The mailbox as one file (mbox, zip of EML files, or the encrypted database copy); ETag and byte ranges (Range, If-Range: 206, 416) so an interrupted download resumes; the file is kept 10 minutes while the mailbox is unchanged',
      query: exportQuery,
      produces: ['application/mbox', 'application/zip'],
      ranges: true,
      status: 200,
      auth,
    },
    {
      method: 'post',
      path: '/imports',
      accepts: ['application/octet-stream'],
      summary:
        'Import an mbox, an EML file, a zip of EML files or of a Maildir tree, or restore an encrypted mailbox copy (the sqlite export: it opens with the password in the Mailyard-Copy-Password header, else with the password of this mailbox; 403 when it does not) (the body, application/octet-stream, at most api.importMaxBytes): 202 and a Location; imported in the background, duplicates skipped; 400 for a file of no known kind',
      query: importQuery,
      reply: z.object({ id: z.string(), status: z.literal('queued') }),
      status: 202,
      auth,
    },
    {
      method: 'get',
      path: '/imports/{import}',
      summary: 'The status of an import (queued, running, done, failed) with its counts and skipped messages',
      reply: importStatusOut,
      status: 200,
      auth,
    },
  ];
}

function queryParameters(query: z.ZodObject) {
  const schema = z.toJSONSchema(query, { io: 'input' }) as { properties?: Record<string, { description?: string }> };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', ...(description ? { description } : {}), schema: rest };
  });
}

const PATH_PARAMETERS: Record<string, string> = {
  id: 'Token id',
  domain: 'Domain id, or its name in ASCII or Unicode',
  alias: "Alias id or name ('*' is the catch-all)",
  script: 'Sieve script id or name',
  import: 'Import id (from POST /v1/imports)',
  message: 'Message id (EMAILID)',
  folder: 'Folder id (MAILBOXID) or path',
  email: 'Id of a message sent through POST /v1/emails',
  hook: 'Event webhook id',
  member: "Member's account id or email address",
  invite: 'Invite id or the invited email address',
  secret: 'The invite secret (from POST /v1/domains/{domain}/invites)',
};

const PAGING_PARAMETERS = [
  { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
  { name: 'sort', in: 'query', schema: { type: 'string', enum: ['name', '-name', 'created_at', '-created_at'] } },
  { name: 'name', in: 'query', description: 'Case-insensitive substring of the name', schema: { type: 'string' } },
];

const PAGING_HEADERS = Object.fromEntries(
  ['X-Page-Count', 'X-Item-Count', 'X-Page-Current', 'X-Page-Size'].map((h) => [h, { schema: { type: 'integer' } }]),
);

const ERROR = { $ref: '#/components/responses/Error' };

function operationObject(op: Operation) {
  const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    description: PATH_PARAMETERS[name],
    schema: { type: 'string' },
  }));
  const json = {
    'application/json': {},
    ...(op.rawMessage && !op.body ? { 'message/rfc822': {} } : {}),
    ...Object.fromEntries((op.produces ?? []).map((type) => [type, {}])),
  };
  const success = op.status === 204 ? { description: 'Done' } : { description: 'OK', content: json };
  const responses: Record<string, unknown> = {
    [op.status]: op.paged ? { ...success, headers: PAGING_HEADERS } : success,
    '400': ERROR,
    '401': ERROR,
    '403': ERROR,
    '404': ERROR,
    '409': ERROR,
    // Over a quota (a mailbox's storage or message limit, Sieve script limits): code OVERQUOTA or QUOTA/*.
    ...(op.rawMessage || op.body ? { '422': ERROR } : {}),
    ...(op.rawMessage || op.body || op.accepts ? { '413': ERROR, '415': ERROR, '503': ERROR } : {}),
    ...(op.ranges ? { '206': { description: 'Partial Content (Range)', content: json }, '416': ERROR } : {}),
    '429': ERROR,
  };
  return {
    summary: op.summary,
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    ...(op.auth === 'none' ? { security: [] } : op.auth === 'optional' ? { security: [{}, { basic: [] }] } : {}),
    ...(op.auth === 'mailbox' ? { security: [{ mailbox: [] }] } : {}),
    ...(op.auth === 'token-or-mailbox' ? { security: [{ basic: [] }, { mailbox: [] }] } : {}),
    parameters: [...pathParams, ...(op.query ? queryParameters(op.query) : op.paged ? PAGING_PARAMETERS : [])],
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: z.toJSONSchema(op.body, { io: 'input' }) },
              // The same fields as a form (curl -d / -F): strings converted to the schema's types (form-coerce.ts).
              'application/x-www-form-urlencoded': { schema: z.toJSONSchema(op.body, { io: 'input' }) },
              'multipart/form-data': { schema: z.toJSONSchema(op.body, { io: 'input' }) },
              ...(op.rawMessage ? { 'message/rfc822': {} } : {}),
            },
          },
        }
      : op.accepts
        ? { requestBody: { required: true, content: Object.fromEntries(op.accepts.map((type) => [type, {}])) } }
        : {}),
    responses,
  };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const item = paths[op.path] ?? {};
    item[op.method] = operationObject(op);
    paths[op.path] = item;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Mailyard API', version: '1.0.0', description: 'Accounts, domains, aliases and mailboxes.' },
    servers: [{ url: '/v1' }],
    security: [{ basic: [] }],
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic', description: 'API token as the username, empty password' },
        mailbox: { type: 'http', scheme: 'basic', description: 'Mailbox address as the username, mailbox password' },
      },
      responses: {
        Error: {
          description: 'Error',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['statusCode', 'error', 'message'],
                properties: {
                  statusCode: { type: 'integer' },
                  error: { type: 'string' },
                  message: { type: 'string' },
                  code: { type: 'string' },
                  field: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
