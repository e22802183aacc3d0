/** Log in, sign up and account pages. */
import type { Account } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import { csrfInput, errorBox, textInput } from './forms.js';

export function loginView(o: { csrf: string; email?: string; next?: string; error?: string; canSignUp: boolean }) {
  return html`${errorBox(o.error)}
  <form method="post" action="/login" class="card">
    ${csrfInput(o.csrf)}
    <input type="hidden" name="next" value="${o.next ?? ''}">
    ${textInput({ label: 'Email', name: 'email', type: 'email', value: o.email, required: true, autocomplete: 'username' })}
    ${textInput({ label: 'Password', name: 'password', type: 'password', required: true, autocomplete: 'current-password' })}
    <button type="submit">Log in</button>
  </form>
  ${o.canSignUp ? html`<p>No account yet? <a href="/signup">Sign up</a>.</p>` : ''}`;
}

export function signupView(o: { csrf: string; email?: string; error?: string; first: boolean }): SafeHtml {
  const intro = o.first
    ? html`<p>This server has no accounts yet. The first account becomes its administrator.</p>`
    : html`<p>Create an account to host your domains and mailboxes.</p>`;
  return html`${intro}${errorBox(o.error)}
  <form method="post" action="/signup" class="card">
    ${csrfInput(o.csrf)}
    ${textInput({ label: 'Email', name: 'email', type: 'email', value: o.email, required: true, autocomplete: 'username' })}
    ${textInput({
      label: 'Password',
      name: 'password',
      type: 'password',
      required: true,
      autocomplete: 'new-password',
      hint: 'At least 8 characters. A passphrase of several words is easy to remember and hard to guess.',
    })}
    ${textInput({ label: 'Repeat the password', name: 'confirm', type: 'password', required: true, autocomplete: 'new-password' })}
    <button type="submit">Create account</button>
  </form>
  <p>Already have an account? <a href="/login">Log in</a>.</p>`;
}

export function signupClosedView(): SafeHtml {
  return html`<p class="flash flash-error" role="alert">Sign-up is closed on this server: ask its administrator to
    create an account for you.</p><p><a href="/login">Log in</a></p>`;
}

export function accountView(o: { account: Account; csrf: string; error?: string }): SafeHtml {
  return html`<dl class="card">
    <dt>Email</dt><dd>${o.account.email}</dd>
    <dt>Role</dt><dd>${o.account.isAdmin ? 'Administrator' : 'Member'}</dd>
  </dl>
  <h2 id="password-heading">Change password</h2>
  ${errorBox(o.error)}
  <form method="post" action="/account/password" class="card" aria-labelledby="password-heading">
    ${csrfInput(o.csrf)}
    <input type="text" name="username" value="${o.account.email}" autocomplete="username" hidden>
    ${textInput({ label: 'Current password', name: 'current', type: 'password', required: true, autocomplete: 'current-password' })}
    ${textInput({
      label: 'New password',
      name: 'password',
      type: 'password',
      required: true,
      autocomplete: 'new-password',
      hint: 'At least 8 characters. Your other sessions are logged out.',
    })}
    ${textInput({ label: 'Repeat the new password', name: 'confirm', type: 'password', required: true, autocomplete: 'new-password' })}
    <button type="submit">Change password</button>
  </form>`;
}
