/**
 * Domain members and invites: several accounts manage one domain, each as 'admin' or 'user' (the matrix is in
 * docs/api.md). Admins manage members and invites; any member lists the members. An invite's secret is shown
 * once to the admin who made it (only its SHA-256 is kept) and is accepted by the account with the invited email:
 * - POST /v1/invites/accept with the secret in the body (never in the path: proxies and access logs keep paths;
 *   the former POST /v1/invites/{secret}/accept is refused with a 400 that says so, and the secret is not used);
 * - GET /v1/domains/{domain}/invites by that account, Forward Email's way (no secret: the account's email is the
 *   proof). Only while sign-up is closed (api.signupOpen false): with open sign-up anyone could create an account
 *   with an invited address before its owner does, so then the secret is required.
 */
import type { Account, DomainInvite, DomainMember } from '@mailyard/control';
import { NotFoundError, PermissionError, ValidationError } from '@mailyard/errors';
import { z } from 'zod';
import {
  type ApiContext,
  type ApiRouter,
  adminDomain,
  body,
  domainAccess,
  ownDomain,
  param,
  type RouteDeps,
  requireAuth,
} from '../context.js';
import type { Operation } from '../openapi.js';
import { presentDomainSummary } from '../present.js';
import { domainRole, inviteCreate, inviteRevoke, memberUpdate } from '../schemas.js';
import { parseInput } from '../validation.js';

/** How long an invite can be accepted. */
export const INVITE_TTL_MS = 7 * 24 * 3_600_000;

const memberOut = z.strictObject({
  account_id: z.string(),
  email: z.string(),
  role: domainRole,
  /** The account that holds the domain's claim: always an admin, cannot be removed. */
  is_owner: z.boolean(),
  created_at: z.iso.datetime(),
});

const inviteOut = z.strictObject({
  id: z.string(),
  email: z.string(),
  role: domainRole,
  invited_by: z.string().nullable(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
});

const issuedInviteOut = inviteOut.extend({
  /** Shown once: the invited account accepts with POST /v1/invites/accept and this secret in the body. */
  secret: z.string(),
  /** Where to POST the secret (it is not part of the path). */
  accept_path: z.string(),
});

/** The body of POST /v1/invites/accept (JSON or form). */
const inviteAccept = z.strictObject({ secret: z.string().min(1).max(200) });

/** Where an invite is accepted; the secret goes in the body. */
const ACCEPT_PATH = '/v1/invites/accept';

const memberAdd = z.strictObject({ email: z.string().min(3).max(320), role: domainRole.default('user') });

const acceptedOut = z.strictObject({
  domain: z.object({ id: z.string(), name: z.string() }).loose(),
  role: domainRole,
});

function presentMember(member: DomainMember) {
  return {
    account_id: member.accountId,
    email: member.email,
    role: member.role,
    is_owner: member.isOwner,
    created_at: member.createdAt.toISOString(),
  };
}

function presentInvite(invite: DomainInvite) {
  return {
    id: invite.id,
    email: invite.email,
    role: invite.role,
    invited_by: invite.invitedBy,
    created_at: invite.createdAt.toISOString(),
    expires_at: invite.expiresAt.toISOString(),
  };
}

export function memberOperations(): Operation[] {
  const members = '/domains/{domain}/members';
  const invites = '/domains/{domain}/invites';
  return [
    {
      method: 'get',
      path: members,
      summary: "List the domain's members (any member)",
      reply: z.array(memberOut),
      status: 200,
    },
    {
      method: 'post',
      path: members,
      summary: 'Add an existing account as a member directly (server administrators; others send an invite)',
      body: memberAdd,
      reply: memberOut,
      status: 201,
    },
    {
      method: 'put',
      path: `${members}/{member}`,
      summary: "Change a member's role (`role` or Forward Email's `group`); admins",
      body: memberUpdate,
      reply: memberOut,
      status: 200,
    },
    {
      method: 'delete',
      path: `${members}/{member}`,
      summary: 'Remove a member (admins; any member may remove itself); never the owner or the last admin',
      status: 204,
    },
    {
      method: 'post',
      path: invites,
      summary: 'Invite an email address with a role (admins); the secret is in this reply only',
      body: inviteCreate,
      reply: issuedInviteOut,
      status: 201,
    },
    {
      method: 'get',
      path: invites,
      summary:
        "Admins: the domain's pending invites. Not a member: accept the invite for your account's email " +
        "(Forward Email's accept; only while sign-up is closed)",
      reply: z.union([z.array(inviteOut), acceptedOut]),
      status: 200,
    },
    {
      method: 'delete',
      path: invites,
      summary: "Revoke the invite of `email` (Forward Email's form); admins",
      body: inviteRevoke,
      status: 204,
    },
    {
      method: 'delete',
      path: `${invites}/{invite}`,
      summary: 'Revoke an invite (by id or email); admins',
      status: 204,
    },
    {
      method: 'post',
      path: '/invites/accept',
      summary: "Accept an invite with its `secret` in the body (the account's email must be the invited one)",
      body: inviteAccept,
      reply: acceptedOut,
      status: 200,
    },
    {
      method: 'post',
      path: '/invites/{secret}/accept',
      summary: 'Refused (400): a secret in the path ends up in access logs; POST /v1/invites/accept with it instead',
      status: 400,
    },
  ];
}

export function registerMemberRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/domains/:domain/members', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    ctx.body = (await deps.control.listDomainMembers(domain.id)).map(presentMember);
  });

  router.post('/domains/:domain/members', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    const domain = await adminDomain(ctx, deps, 'add members');
    if (!account.isAdmin) throw new PermissionError('invite the account instead (POST /v1/domains/{domain}/invites)');
    const input = parseInput(memberAdd, await body(ctx, deps));
    const added = await deps.control.findAccountByEmail(input.email);
    if (!added) throw new ValidationError(`no account has the email ${input.email}`, 'email');
    // Through an invite accepted at once, so the same checks (already a member) apply.
    await deps.control.createDomainInvite({
      domainId: domain.id,
      email: added.email,
      role: input.role,
      invitedBy: account.id,
      ttlMs: INVITE_TTL_MS,
    });
    ctx.status = 201;
    ctx.body = presentMember(await deps.control.acceptDomainInvite(added, { domainId: domain.id }));
  });

  router.put('/domains/:domain/members/:member', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'change roles');
    const input = parseInput(memberUpdate, await body(ctx, deps));
    const changed = await deps.control.setDomainMemberRole(domain.id, param(ctx, 'member'), input.role);
    if (!changed) throw new NotFoundError('member not found');
    ctx.body = presentMember(changed);
  });

  router.delete('/domains/:domain/members/:member', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    const { domain, role } = await domainAccess(ctx, deps);
    const member = await deps.control.findDomainMember(domain.id, param(ctx, 'member'));
    if (role !== 'admin' && member?.accountId !== account.id) {
      throw new PermissionError(`only an admin of ${domain.name} can remove other members`);
    }
    if (!member || !(await deps.control.removeDomainMember(domain.id, member.accountId))) {
      throw new NotFoundError('member not found');
    }
    deps.logger.info({ domain: domain.name, member: member.email, by: account.email }, 'domain member removed');
    ctx.status = 204;
  });

  router.post('/domains/:domain/invites', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    const domain = await adminDomain(ctx, deps, 'invite members');
    const input = parseInput(inviteCreate, await body(ctx, deps));
    const issued = await deps.control.createDomainInvite({
      domainId: domain.id,
      email: input.email,
      role: input.role,
      invitedBy: account.id,
      ttlMs: INVITE_TTL_MS,
    });
    deps.logger.info({ domain: domain.name, email: issued.invite.email, by: account.email }, 'domain invite created');
    ctx.status = 201;
    ctx.body = {
      ...presentInvite(issued.invite),
      secret: issued.secret,
      accept_path: ACCEPT_PATH,
    };
  });

  router.get('/domains/:domain/invites', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    const own = await deps.control.findDomain(account.id, param(ctx, 'domain'));
    if (own) {
      await adminDomain(ctx, deps, 'see its invites');
      ctx.body = (await deps.control.listDomainInvites(own.id)).map(presentInvite);
      return;
    }
    ctx.body = await acceptByEmail(ctx, deps, account);
  });

  router.delete('/domains/:domain/invites', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'revoke invites');
    const input = parseInput(inviteRevoke, await body(ctx, deps));
    if (!(await deps.control.revokeDomainInvite(domain.id, input.email))) throw new NotFoundError('invite not found');
    ctx.status = 204;
  });

  router.delete('/domains/:domain/invites/:invite', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'revoke invites');
    if (!(await deps.control.revokeDomainInvite(domain.id, param(ctx, 'invite')))) {
      throw new NotFoundError('invite not found');
    }
    ctx.status = 204;
  });

  router.post('/invites/accept', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    const input = parseInput(inviteAccept, await body(ctx, deps));
    const member = await deps.control.acceptDomainInvite(account, { secret: input.secret });
    ctx.body = await accepted(deps, account, member);
  });

  // The former form, with the secret in the path: refused without looking at it, saying where it goes now.
  router.post('/invites/:secret/accept', (ctx: ApiContext) => {
    requireAuth(ctx);
    throw new ValidationError(
      `invite secrets are not accepted in the path (it is kept in access logs): POST ${ACCEPT_PATH} with {"secret": "…"}`,
      'secret',
    );
  });
}

/** Forward Email's accept: the pending invite of the caller's email for the named domain; 404 when there is none. */
async function acceptByEmail(ctx: ApiContext, deps: RouteDeps, account: Account) {
  // The same 404 as for any domain the caller is not a member of, so that the answer does not tell which domain
  // names exist (with open sign-up, the invited account accepts with POST /v1/invites/accept and the secret).
  if (deps.config.api.signupOpen) throw new NotFoundError('domain not found');
  const domain = await deps.control.findDomainByName(param(ctx, 'domain'));
  if (!domain) throw new NotFoundError('domain not found');
  try {
    return await accepted(deps, account, await deps.control.acceptDomainInvite(account, { domainId: domain.id }));
  } catch (err) {
    // No invite for this account: as unknown as any domain the caller is not a member of.
    if (err instanceof NotFoundError) throw new NotFoundError('domain not found');
    throw err;
  }
}

async function accepted(deps: RouteDeps, account: Account, member: DomainMember) {
  const domain = await deps.control.findDomain(account.id, member.domainId);
  if (!domain) throw new NotFoundError('domain not found');
  deps.logger.info({ domain: domain.name, member: account.email, role: member.role }, 'domain invite accepted');
  return { domain: presentDomainSummary(domain), role: member.role };
}
