/**
 * The Sieve page of an alias: its scripts (activate, deactivate, delete), the vacation form and the simple rules
 * (both saved as the `dashboard` script, sieve-rules.ts), and a raw script editor that shows a syntax error with
 * its line and column and the offending line marked.
 */
import type { Alias, Domain, SieveScript } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import {
  DASHBOARD_SCRIPT,
  type DashboardRules,
  RULE_ACTIONS,
  RULE_FIELDS,
  RULE_LIMITS,
  type Rule,
} from '../sieve-rules.js';
import { aliasPath } from '../web-context.js';
import { address } from './aliases.js';
import { actionButton, checkboxInput, csrfInput, errorBox, selectInput, textArea, textInput } from './forms.js';

/** Empty rule rows offered below the saved ones. */
export const BLANK_RULE_ROWS = 3;

export interface EditorForm {
  name: string;
  content: string;
  activate: boolean;
}

/** A script that did not compile: where, and why. */
export interface ScriptError {
  message: string;
  line?: number;
  column?: number;
}

export interface SievePageOptions {
  domain: Domain;
  alias: Alias;
  csrf: string;
  scripts: SieveScript[];
  rules: DashboardRules;
  editor: EditorForm;
  /** Which form the error belongs to. */
  error?: { form: 'vacation' | 'rules' | 'editor'; script: ScriptError };
}

export function sievePath(domain: Domain, alias: Alias): string {
  return `${aliasPath(domain, alias)}/sieve`;
}

function scriptRow(o: SievePageOptions, script: SieveScript): SafeHtml {
  const base = `${sievePath(o.domain, o.alias)}/scripts/${encodeURIComponent(script.name)}`;
  const edit = `${sievePath(o.domain, o.alias)}?edit=${encodeURIComponent(script.name)}#editor`;
  const toggle = script.isActive
    ? actionButton({ action: `${base}/deactivate`, csrf: o.csrf, label: 'Deactivate' })
    : actionButton({ action: `${base}/activate`, csrf: o.csrf, label: 'Activate' });
  return html`<tr>
    <td data-label="Name"><a href="${edit}">${script.name}</a></td>
    <td data-label="Active">${script.isActive ? 'yes' : 'no'}</td>
    <td data-label="Size">${script.size} bytes</td>
    <td data-label="Actions">${toggle} ${actionButton({ action: `${base}/delete`, csrf: o.csrf, label: 'Delete', danger: true })}</td>
  </tr>`;
}

function scriptsSection(o: SievePageOptions): SafeHtml {
  if (o.scripts.length === 0) return html`<p>No scripts yet: mail goes to INBOX.</p>`;
  return html`<div class="table-wrap"><table class="stack scripts">
    <caption>Scripts (at most one is active: the one that runs on new mail)</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Active</th><th scope="col">Size</th>
      <th scope="col">Actions</th></tr></thead>
    <tbody>${o.scripts.map((script) => scriptRow(o, script))}</tbody></table></div>`;
}

function dateInput(label: string, name: string, value: string): SafeHtml {
  const id = `f-${name}`;
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <input id="${id}" name="${name}" type="date" value="${value}">
  </div>`;
}

function formError(o: SievePageOptions, form: 'vacation' | 'rules' | 'editor'): SafeHtml {
  return o.error?.form === form ? errorBox(o.error.script.message) : html``;
}

function vacationSection(o: SievePageOptions): SafeHtml {
  const v = o.rules.vacation;
  return html`<h2 id="vacation">Vacation reply</h2>
  ${formError(o, 'vacation')}
  <form method="post" action="${sievePath(o.domain, o.alias)}/vacation" class="card" aria-labelledby="vacation">
    ${csrfInput(o.csrf)}
    ${checkboxInput({ label: 'Answer incoming mail automatically', name: 'vacation_enabled', checked: v.enabled })}
    ${textInput({ label: 'Subject of the reply (optional)', name: 'vacation_subject', value: v.subject, maxlength: RULE_LIMITS.maxText })}
    ${textArea({ label: 'Message', name: 'vacation_message', value: v.message, rows: 5 })}
    ${dateInput('First day (optional)', 'vacation_start', v.start)}
    ${dateInput('Last day (optional)', 'vacation_end', v.end)}
    ${textInput({
      label: 'Answer each sender at most once every … days',
      name: 'vacation_days',
      value: String(v.days),
      hint: 'Lists, automatic mail and forged senders never get a reply.',
    })}
    <button type="submit">Save vacation reply</button>
  </form>`;
}

function ruleRow(rule: Rule, index: number): SafeHtml {
  return html`<fieldset class="card rule">
    <legend>Rule ${index + 1}</legend>
    ${selectInput({ label: `Rule ${index + 1}: when`, name: `rule_field_${index}`, value: rule.field, options: [...RULE_FIELDS] })}
    ${textInput({ label: `Rule ${index + 1}: contains`, name: `rule_contains_${index}`, value: rule.contains, maxlength: RULE_LIMITS.maxText })}
    ${selectInput({ label: `Rule ${index + 1}: then`, name: `rule_action_${index}`, value: rule.action, options: [...RULE_ACTIONS] })}
    ${textInput({
      label: `Rule ${index + 1}: folder or address`,
      name: `rule_argument_${index}`,
      value: rule.argument,
      maxlength: RULE_LIMITS.maxText,
    })}
  </fieldset>`;
}

function rulesSection(o: SievePageOptions): SafeHtml {
  const blank: Rule = { field: 'from', contains: '', action: 'fileinto', argument: '' };
  const rows = [...o.rules.rules, ...Array.from({ length: BLANK_RULE_ROWS }, () => blank)];
  return html`<h2 id="rules">Rules</h2>
  <p>When the sender (from), a recipient (to or cc) or the subject contains the text: file into a folder (made if
    missing), flag, forward a copy to an address, or discard. Leave “contains” empty to drop a rule.</p>
  ${formError(o, 'rules')}
  <form method="post" action="${sievePath(o.domain, o.alias)}/rules" aria-labelledby="rules">
    ${csrfInput(o.csrf)}
    <input type="hidden" name="rule_rows" value="${rows.length}">
    ${rows.map(ruleRow)}
    <button type="submit">Save rules</button>
  </form>
  <p class="hint">The vacation reply and the rules are saved together as the script “${DASHBOARD_SCRIPT}”, which
    becomes the active script.</p>`;
}

/** The offending line with a caret under the column, for a syntax error that has a position. */
function errorContext(content: string, error: ScriptError): SafeHtml {
  if (!error.line) return html``;
  const line = content.split(/\r?\n/)[error.line - 1] ?? '';
  const caret = `${' '.repeat(Math.max(0, (error.column ?? 1) - 1))}^`;
  return html`<pre class="sieve-error" id="sieve-error-context" aria-label="Where the error is">${error.line} | ${line}
${' '.repeat(String(error.line).length)} | ${caret}</pre>`;
}

function editorSection(o: SievePageOptions): SafeHtml {
  const failed = o.error?.form === 'editor' ? o.error.script : undefined;
  return html`<h2 id="editor">Script editor</h2>
  <p>Write Sieve (RFC 5228) directly. Saving under an existing name replaces that script.</p>
  ${failed ? html`<div id="sieve-error">${errorBox(failed.message)}${errorContext(o.editor.content, failed)}</div>` : ''}
  <form method="post" action="${sievePath(o.domain, o.alias)}/editor#editor" class="card" aria-labelledby="editor">
    ${csrfInput(o.csrf)}
    ${textInput({ label: 'Script name', name: 'name', value: o.editor.name, required: true, maxlength: 128 })}
    ${textArea({ label: 'Script', name: 'content', value: o.editor.content, rows: 16 })}
    ${checkboxInput({ label: 'Make it the active script', name: 'activate', checked: o.editor.activate })}
    <button type="submit">Save script</button>
  </form>`;
}

export function sieveView(o: SievePageOptions): SafeHtml {
  const noMailbox = o.alias.mailboxId
    ? html``
    : html`<p class="flash flash-error" role="status">${address(o.alias, o.domain)} has no mailbox yet: scripts run
        only for aliases with a mailbox.</p>`;
  return html`<p><a href="${aliasPath(o.domain, o.alias)}">Back to ${address(o.alias, o.domain)}</a></p>
  ${noMailbox}
  <h2 id="scripts">Scripts</h2>
  ${scriptsSection(o)}
  ${vacationSection(o)}
  ${rulesSection(o)}
  ${editorSection(o)}`;
}
