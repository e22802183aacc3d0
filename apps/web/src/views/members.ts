/**
 * The members page of a domain: who manages it and in which role, the pending invites, the invite form, and the
 * page that shows a new invite's link once; and the page where the invited account accepts.
 */
import { type Domain, type DomainInvite, type DomainMember, domainToDisplay } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import { domainPath } from '../web-context.js';
import { actionButton, csrfInput, dateTime, errorBox, selectInput, textInput } from './forms.js';

export function membersPath(domain: Domain): string {
  return `${domainPath(domain)}/members`;
}

export function membersView(o: {
  domain: Domain;
  members: DomainMember[];
  invites: DomainInvite[];
  /** The viewer's account and role: admins manage, users see the list and may leave. */
  viewer: { accountId: string; isAdmin: boolean };
  csrf: string;
  form?: { email: string; role: string };
  error?: string;
}): SafeHtml {
  const path = membersPath(o.domain);
  const rows = o.members.map((m) => {
    const canRemove = !m.isOwner && (o.viewer.isAdmin || m.accountId === o.viewer.accountId);
    const label = m.accountId === o.viewer.accountId ? 'Leave' : 'Remove';
    return html`<tr>
      <td>${m.email}</td><td>${m.role}${m.isOwner ? ' (owner)' : ''}</td><td>${dateTime(m.createdAt)}</td>
      <td>${canRemove ? actionButton({ action: `${path}/${encodeURIComponent(m.accountId)}/remove`, csrf: o.csrf, label, danger: true }) : ''}</td>
    </tr>`;
  });
  const invites = o.invites.map(
    (i) => html`<tr><td>${i.email}</td><td>${i.role}</td><td>${dateTime(i.expiresAt)}</td>
      <td>${actionButton({ action: `${path}/invites/${encodeURIComponent(i.id)}/revoke`, csrf: o.csrf, label: 'Revoke', danger: true })}</td></tr>`,
  );
  const manage = o.viewer.isAdmin
    ? html`<h2 id="invites">Pending invites</h2>
  ${o.invites.length > 0 ? html`<table><thead><tr><th>Email</th><th>Role</th><th>Expires</th><th></th></tr></thead><tbody>${invites}</tbody></table>` : html`<p>None.</p>`}
  <h2 id="invite">Invite someone</h2>
  ${errorBox(o.error)}
  <form method="post" action="${path}/invites" class="card" aria-labelledby="invite">
    ${csrfInput(o.csrf)}
    ${textInput({ label: 'Email address of their account', name: 'email', value: o.form?.email ?? '' })}
    ${selectInput({ label: 'Role', name: 'role', value: o.form?.role ?? 'user', options: ['user', 'admin'] })}
    <button type="submit">Create invite</button>
  </form>`
    : html``;
  return html`<p><a href="${domainPath(o.domain)}">Back to ${domainToDisplay(o.domain.name)}</a></p>
  <p>Admins manage everything of the domain; users manage its aliases and mailboxes but not the domain's settings,
    members or deletion. The owner is always an admin.</p>
  <h2>Members</h2>
  <table><thead><tr><th>Account</th><th>Role</th><th>Since</th><th></th></tr></thead><tbody>${rows}</tbody></table>
  ${manage}`;
}

export function inviteCreatedView(o: {
  domain: Domain;
  invite: DomainInvite;
  code: string;
  /** The page where the invited account pastes the code. */
  acceptUrl: string;
}): SafeHtml {
  return html`<p>Send this code to ${o.invite.email}. It is shown only now and works until
    ${dateTime(o.invite.expiresAt)}, for the account with that email address.</p>
  <p class="secret" id="invite-code">${o.code}</p>
  <p>They log in, open <code>${o.acceptUrl}</code> and paste the code there. The code is not part of any link, so
    it never ends up in a proxy's or server's access log.</p>
  <p><a href="${membersPath(o.domain)}">Back to the members of ${domainToDisplay(o.domain.name)}</a></p>`;
}

export function acceptInviteView(o: { csrf: string; error?: string }): SafeHtml {
  return html`${errorBox(o.error)}
  <p>Paste the invite code an admin of the domain gave you to manage that domain with this account.</p>
  <form method="post" action="/invites" class="card">
    ${csrfInput(o.csrf)}
    ${textInput({ label: 'Invite code', name: 'code', required: true, autocomplete: 'off' })}
    <button type="submit">Accept invite</button>
  </form>`;
}
