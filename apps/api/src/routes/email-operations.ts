/** The OpenAPI operations of /v1/emails (routes/emails.ts), listed in openapi.ts with the others. */
import { z } from 'zod';
import type { Operation } from '../openapi.js';
import { emailCreate, emailLimitOut, emailOut } from './email-shapes.js';

export function emailOperations(): Operation[] {
  const auth = 'token-or-mailbox' as const;
  const item = '/emails/{email}';
  return [
    {
      method: 'post',
      path: '/emails',
      summary:
        'Send a message (fields built into MIME, or raw): checked, DKIM-signed, delivered or queued before the reply',
      body: emailCreate,
      reply: emailOut,
      status: 201,
      auth,
    },
    {
      method: 'get',
      path: '/emails',
      summary: 'Messages sent through the API, newest first',
      reply: z.array(emailOut),
      paged: true,
      status: 200,
      auth,
    },
    {
      method: 'get',
      path: '/emails/limit',
      summary: 'Sending limits and their use in the last 24 hours',
      reply: emailLimitOut,
      status: 200,
      auth,
    },
    {
      method: 'get',
      path: item,
      summary: 'A sent message and each recipient status',
      reply: emailOut,
      status: 200,
      auth,
    },
    {
      method: 'delete',
      path: item,
      summary: 'Cancel a message still waiting in the outbound queue (409 once delivery started or ended)',
      reply: emailOut,
      status: 200,
      auth,
    },
  ];
}
