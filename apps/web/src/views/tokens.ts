/** API tokens: list with revoke buttons, the create form, and a new token shown once. */
import type { ApiToken } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import { actionButton, csrfInput, dateTime, errorBox, textInput } from './forms.js';

function tokenRow(token: ApiToken, csrf: string): SafeHtml {
  const action = token.revokedAt
    ? html`revoked ${dateTime(token.revokedAt)}`
    : actionButton({
        action: `/tokens/${encodeURIComponent(token.id)}/revoke`,
        csrf,
        label: `Revoke ${token.name}`,
        danger: true,
      });
  return html`<tr>
    <td data-label="Name">${token.name}</td>
    <td data-label="Created">${dateTime(token.createdAt)}</td>
    <td data-label="Last used">${dateTime(token.lastUsedAt)}</td>
    <td data-label="Status">${action}</td>
  </tr>`;
}

export function tokensView(o: { tokens: ApiToken[]; csrf: string; apiBase: string; error?: string }): SafeHtml {
  const table =
    o.tokens.length === 0
      ? html`<p>No API tokens yet.</p>`
      : html`<div class="table-wrap"><table class="stack">
    <caption>Your API tokens</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th>
      <th scope="col">Status</th></tr></thead>
    <tbody>${o.tokens.map((token) => tokenRow(token, o.csrf))}</tbody></table></div>`;
  return html`<p>Tokens let scripts use the REST API at <code>${o.apiBase}</code> with the same rights as you.</p>
  ${table}
  <h2 id="new-token">Create a token</h2>
  ${errorBox(o.error)}
  <form method="post" action="/tokens" class="card" aria-labelledby="new-token">
    ${csrfInput(o.csrf)}
    ${textInput({ label: 'Name', name: 'name', required: true, maxlength: 100, hint: 'What uses it, such as "backup script".' })}
    <button type="submit">Create token</button>
  </form>`;
}

export function tokenIssuedView(o: { name: string; secret: string; apiBase: string }): SafeHtml {
  return html`<p class="flash flash-ok" role="status">Copy the token now: it is shown only on this page.</p>
  <dl class="card">
    <dt>Name</dt><dd>${o.name}</dd>
    <dt>Token</dt><dd><p class="secret" id="api-token">${o.secret}</p></dd>
  </dl>
  <p>Send it as the user name of HTTP Basic authentication, for example
    <code>curl -u '${o.secret}:' ${o.apiBase}/domains</code>.</p>
  <p><a href="/tokens">Back to API tokens</a></p>`;
}
