/**
 * The spam filter settings of a domain (docs/spam.md): thresholds, greylisting, sender allow and block lists; and
 * the summary each alias page shows of the settings that apply to its mail.
 */
import { type Domain, type DomainSpamSettings, domainToDisplay } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import { domainPath } from '../web-context.js';
import { checkboxInput, csrfInput, errorBox, textArea, textInput } from './forms.js';

export interface SpamDefaults {
  junkScore: number;
  rejectScore: number;
}

export interface SpamForm {
  junkScore: string;
  rejectScore: string;
  greylisting: boolean;
  allow: string;
  block: string;
}

function formOf(s: DomainSpamSettings): SpamForm {
  return {
    junkScore: s.junkScore === null ? '' : String(s.junkScore),
    rejectScore: s.rejectScore === null ? '' : String(s.rejectScore),
    greylisting: s.greylisting,
    allow: s.allow.join('\n'),
    block: s.block.join('\n'),
  };
}

export function spamPath(domain: Domain): string {
  return `${domainPath(domain)}/spam`;
}

export function spamSettingsView(o: {
  domain: Domain;
  settings: DomainSpamSettings;
  defaults: SpamDefaults;
  csrf: string;
  form?: SpamForm;
  error?: string;
}): SafeHtml {
  const form = o.form ?? formOf(o.settings);
  return html`<p><a href="${domainPath(o.domain)}">Back to ${domainToDisplay(o.domain.name)}</a></p>
  <p>Every message to this domain gets a spam score when it arrives. At or above the Junk threshold it is filed in
    the Junk folder (kept 30 days); at or above the reject threshold it is refused, and the sender's server tells the
    sender. Leave a threshold empty to use the server default.</p>
  <h2 id="spam-settings">Spam filter</h2>
  ${errorBox(o.error)}
  <form method="post" action="${spamPath(o.domain)}" class="card" aria-labelledby="spam-settings">
    ${csrfInput(o.csrf)}
    ${textInput({ label: 'Junk threshold', name: 'junk_score', value: form.junkScore, hint: `A number from 0 to 1000; empty: server default (${o.defaults.junkScore}).` })}
    ${textInput({ label: 'Reject threshold', name: 'reject_score', value: form.rejectScore, hint: `Higher than the Junk threshold; empty: server default (${o.defaults.rejectScore}).` })}
    ${checkboxInput({ label: 'Greylisting', name: 'greylisting', checked: form.greylisting, hint: 'Ask unknown senders to retry a few minutes later; most spam software never does. Delays first messages.' })}
    ${textArea({ label: 'Always allow these senders', name: 'allow', value: form.allow, rows: 4, hint: 'One address or domain per line (a domain covers its subdomains). Not applied when the sender fails DMARC.' })}
    ${textArea({ label: 'Always refuse these senders', name: 'block', value: form.block, rows: 4, hint: 'One address or domain per line.' })}
    <button type="submit">Save spam settings</button>
  </form>`;
}

/** What an alias page shows: the domain's settings in force for the alias's mail, and where to change them. */
export function spamSummary(o: { domain: Domain; settings: DomainSpamSettings; defaults: SpamDefaults }): SafeHtml {
  const junk = o.settings.junkScore ?? o.defaults.junkScore;
  const reject = Math.max(o.settings.rejectScore ?? o.defaults.rejectScore, junk);
  return html`<h2>Spam filter</h2>
  <dl class="spam-summary">
    <dt>Junk folder from score</dt><dd>${String(junk)}</dd>
    <dt>Refused from score</dt><dd>${String(reject)}</dd>
    <dt>Greylisting</dt><dd>${o.settings.greylisting ? 'on' : 'off'}</dd>
    <dt>Allowed senders</dt><dd>${o.settings.allow.length > 0 ? o.settings.allow.join(', ') : 'none'}</dd>
    <dt>Refused senders</dt><dd>${o.settings.block.length > 0 ? o.settings.block.join(', ') : 'none'}</dd>
  </dl>
  <p>These are the settings of ${domainToDisplay(o.domain.name)}: <a href="${spamPath(o.domain)}">change them for the
    whole domain</a>.</p>`;
}
