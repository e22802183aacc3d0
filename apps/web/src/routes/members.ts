/**
 * Domain members in the dashboard (the same control store methods and rules as the API's
 * /v1/domains/:domain/members and /invites): any member sees the list and may leave; admins invite, revoke and
 * remove. An invite's code is shown once to the admin; the invited account, logged in, pastes it into the form of
 * /invites (a POST body). Codes never travel in a path or query string, which proxies and access logs keep: the
 * former links (/invites/<code>) lead to that form with a message, without using the code.
 */
import { NotFoundError, PermissionError, ValidationError } from '@mailyard/errors';
import { field } from '../form-body.js';
import { attempt, ok, redirectTo, render } from '../page.js';
import { acceptInviteView, inviteCreatedView, membersPath, membersView } from '../views/members.js';
import {
  adminDomain,
  domainPath,
  ownDomain,
  requireAccount,
  type WebContext,
  type WebRouteDeps,
  type WebRouter,
} from '../web-context.js';

const FORMER_LINK =
  'Invite links with the code in them are no longer accepted (addresses are kept in logs): paste the code below.';

/** How long an invite can be accepted (the API's INVITE_TTL_MS). */
const INVITE_TTL_MS = 7 * 24 * 3_600_000;

export function registerMemberRoutes(router: WebRouter, deps: WebRouteDeps): void {
  const page = async (ctx: WebContext, status = 200, form?: { email: string; role: string }, error?: string) => {
    const account = requireAccount(ctx);
    const domain = await ownDomain(ctx, deps);
    const isAdmin = (await deps.control.domainRole(domain.id, account.id)) === 'admin';
    const view = membersView({
      domain,
      members: await deps.control.listDomainMembers(domain.id),
      invites: isAdmin ? await deps.control.listDomainInvites(domain.id) : [],
      viewer: { accountId: account.id, isAdmin },
      csrf: ctx.state.csrf,
      ...(form ? { form } : {}),
      ...(error ? { error } : {}),
    });
    render(ctx, 'Members', view, status);
  };

  router.get('/domains/:domain/members', (ctx: WebContext) => page(ctx));

  router.post('/domains/:domain/members/invites', async (ctx: WebContext) => {
    const account = requireAccount(ctx);
    const domain = await adminDomain(ctx, deps);
    const form = { email: field(ctx.state.form, 'email'), role: field(ctx.state.form, 'role') };
    const result = await attempt(async () => {
      const role = form.role === 'admin' ? 'admin' : 'user';
      return deps.control.createDomainInvite({
        domainId: domain.id,
        email: form.email,
        role,
        invitedBy: account.id,
        ttlMs: INVITE_TTL_MS,
      });
    });
    if (!result.ok) return page(ctx, 400, form, result.error);
    const view = inviteCreatedView({
      domain,
      invite: result.value.invite,
      code: result.value.secret,
      acceptUrl: `${ctx.origin}/invites`,
    });
    render(ctx, 'Invite created', view, 201);
  });

  router.post('/domains/:domain/members/invites/:invite/revoke', async (ctx: WebContext) => {
    const domain = await adminDomain(ctx, deps);
    if (!(await deps.control.revokeDomainInvite(domain.id, ctx.params.invite ?? ''))) {
      throw new NotFoundError('invite not found');
    }
    redirectTo(ctx, membersPath(domain), ok('Invite revoked.'));
  });

  router.post('/domains/:domain/members/:member/remove', async (ctx: WebContext) => {
    const account = requireAccount(ctx);
    const domain = await ownDomain(ctx, deps);
    const member = await deps.control.findDomainMember(domain.id, ctx.params.member ?? '');
    if (!member) throw new NotFoundError('member not found');
    const leaving = member.accountId === account.id;
    if (!leaving && (await deps.control.domainRole(domain.id, account.id)) !== 'admin') {
      throw new PermissionError(`only an admin of ${domain.name} can remove other members`);
    }
    const result = await attempt(() => deps.control.removeDomainMember(domain.id, member.accountId));
    if (!result.ok) return page(ctx, 409, undefined, result.error);
    if (leaving) return redirectTo(ctx, '/domains', ok(`You left ${domain.name}.`));
    redirectTo(ctx, membersPath(domain), ok(`${member.email} removed.`));
  });

  router.get('/invites', (ctx: WebContext) => {
    requireAccount(ctx);
    render(ctx, 'Accept an invite', acceptInviteView({ csrf: ctx.state.csrf }));
  });

  router.post('/invites', async (ctx: WebContext) => {
    const account = requireAccount(ctx);
    const code = field(ctx.state.form, 'code');
    const result = await attempt(async () => {
      if (!code) throw new ValidationError('Paste the invite code you were given.', 'code');
      return deps.control.acceptDomainInvite(account, { secret: code });
    });
    if (!result.ok) {
      const view = acceptInviteView({ csrf: ctx.state.csrf, error: result.error });
      return render(ctx, 'Accept an invite', view, code ? 404 : 400);
    }
    const domain = await deps.control.findDomain(account.id, result.value.domainId);
    if (!domain) throw new NotFoundError('domain not found');
    redirectTo(ctx, domainPath(domain), ok(`You are now a member of ${domain.name} (${result.value.role}).`));
  });

  // Links of the former form carried the code in the path: sent to the form, the code unused.
  // Before any login check, so that the code does not ride on to the login page's ?next=.
  const formerLink = (ctx: WebContext) => {
    redirectTo(ctx, '/invites', { kind: 'error', text: FORMER_LINK });
  };
  router.get('/invites/:secret', formerLink);
  router.post('/invites/:secret', formerLink);
}
