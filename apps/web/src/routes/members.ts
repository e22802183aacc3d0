/**
 * Domain members in the dashboard (the same control store methods and rules as the API's
 * /v1/domains/:domain/members and /invites): any member sees the list and may leave; admins invite, revoke and
 * remove. An invite's link (/invites/<secret>) is shown once to the admin; the invited account opens it logged in
 * and accepts.
 */
import { NotFoundError, PermissionError } from '@mailyard/errors';
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
    const link = `${ctx.origin}/invites/${encodeURIComponent(result.value.secret)}`;
    render(ctx, 'Invite created', inviteCreatedView({ domain, invite: result.value.invite, link }), 201);
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

  router.get('/invites/:secret', (ctx: WebContext) => {
    requireAccount(ctx);
    render(ctx, 'Invite', acceptInviteView({ secret: ctx.params.secret ?? '', csrf: ctx.state.csrf }));
  });

  router.post('/invites/:secret', async (ctx: WebContext) => {
    const account = requireAccount(ctx);
    const result = await attempt(() => deps.control.acceptDomainInvite(account, { secret: ctx.params.secret ?? '' }));
    if (!result.ok) {
      const view = acceptInviteView({ secret: ctx.params.secret ?? '', csrf: ctx.state.csrf, error: result.error });
      return render(ctx, 'Invite', view, 404);
    }
    const domain = await deps.control.findDomain(account.id, result.value.domainId);
    if (!domain) throw new NotFoundError('domain not found');
    redirectTo(ctx, domainPath(domain), ok(`You are now a member of ${domain.name} (${result.value.role}).`));
  });
}
