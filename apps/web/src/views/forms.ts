/** Form pieces: every input has a visible label, hints are tied with aria-describedby, errors are announced. */
import { CSRF_FIELD } from '../csrf.js';
import { html, type SafeHtml } from '../html.js';

export function csrfInput(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

export interface InputOptions {
  label: string;
  name: string;
  value?: string;
  type?: 'text' | 'email' | 'password' | 'search';
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  maxlength?: number;
}

export function textInput(o: InputOptions): SafeHtml {
  const id = `f-${o.name}`;
  const hint = o.hint ? html`<span class="hint" id="${id}-hint">${o.hint}</span>` : '';
  return html`<div class="field">
    <label for="${id}">${o.label}</label>
    <input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${
      o.required ? html` required` : ''
    }${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${
      o.maxlength ? html` maxlength="${o.maxlength}"` : ''
    }${o.hint ? html` aria-describedby="${id}-hint"` : ''}>
    ${hint}
  </div>`;
}

export function textArea(o: { label: string; name: string; value?: string; hint?: string; rows?: number }): SafeHtml {
  const id = `f-${o.name}`;
  const hint = o.hint ? html`<span class="hint" id="${id}-hint">${o.hint}</span>` : '';
  return html`<div class="field">
    <label for="${id}">${o.label}</label>
    <textarea id="${id}" name="${o.name}" rows="${o.rows ?? 3}"${
      o.hint ? html` aria-describedby="${id}-hint"` : ''
    }>${o.value ?? ''}</textarea>
    ${hint}
  </div>`;
}

export function checkboxInput(o: { label: string; name: string; checked: boolean; hint?: string }): SafeHtml {
  const id = `f-${o.name}`;
  return html`<div class="field check">
    <input id="${id}" name="${o.name}" type="checkbox" value="on"${o.checked ? html` checked` : ''}>
    <label for="${id}">${o.label}</label>
    ${o.hint ? html`<span class="hint">${o.hint}</span>` : ''}
  </div>`;
}

export function selectInput(o: { label: string; name: string; value: string; options: string[] }): SafeHtml {
  const id = `f-${o.name}`;
  const options = o.options.map(
    (option) => html`<option value="${option}"${option === o.value ? html` selected` : ''}>${option}</option>`,
  );
  return html`<div class="field">
    <label for="${id}">${o.label}</label>
    <select id="${id}" name="${o.name}">${options}</select>
  </div>`;
}

export function errorBox(message: string | undefined): SafeHtml {
  return message ? html`<p class="flash flash-error" role="alert">${message}</p>` : html``;
}

/** A one-button form for an action on a resource (delete, revoke, verify). */
export function actionButton(o: { action: string; csrf: string; label: string; danger?: boolean }): SafeHtml {
  return html`<form method="post" action="${o.action}" class="inline">${csrfInput(o.csrf)}
    <button type="submit"${o.danger ? html` class="danger"` : ''}>${o.label}</button></form>`;
}

/** Previous/next links with the position, keeping the other query parameters. */
export function pager(o: { path: string; page: number; total: number; limit: number; query?: Record<string, string> }) {
  const pages = Math.max(1, Math.ceil(o.total / o.limit));
  if (pages === 1) return html``;
  const href = (page: number) => `${o.path}?${new URLSearchParams({ ...o.query, page: String(page) })}`;
  return html`<nav class="pager" aria-label="Pages">
    ${o.page > 1 ? html`<a href="${href(o.page - 1)}" rel="prev">Previous</a>` : ''}
    <span>Page ${Math.min(o.page, pages)} of ${pages}</span>
    ${o.page < pages ? html`<a href="${href(o.page + 1)}" rel="next">Next</a>` : ''}
  </nav>`;
}

/** Status shown as text and colour, never colour alone. */
export function statusBadge(status: string): SafeHtml {
  return html`<span class="status status-${status}">${status}</span>`;
}

export function dateTime(date: Date | null): SafeHtml {
  if (!date) return html`never`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}
