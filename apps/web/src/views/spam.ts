/**
 * The spam filter settings of a domain (docs/spam.md): thresholds, greylisting, sender allow and block lists; the
 * summary each alias page shows of the settings that apply to its mail; and the page of an alias's own spam
 * classifier (what its mailbox has learnt, shown after the mailbox password as the backup page asks for it).
 */
import { type Alias, type Domain, type DomainSpamSettings, domainToDisplay } from '@mailyard/control';
import type { SpamLearningStatus } from '@mailyard/mailstore';
import { html, type SafeHtml } from '../html.js';
import { aliasPath, domainPath } from '../web-context.js';
import { address } from './aliases.js';
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
  /** The settings form for the domain's admins; a user member sees the settings in force. */
  isAdmin: boolean;
}): SafeHtml {
  const form = o.form ?? formOf(o.settings);
  const intro = html`<p><a href="${domainPath(o.domain)}">Back to ${domainToDisplay(o.domain.name)}</a></p>
  <p>Every message to this domain gets a spam score when it arrives. At or above the Junk threshold it is filed in
    the Junk folder (kept 30 days); at or above the reject threshold it is refused, and the sender's server tells the
    sender. Leave a threshold empty to use the server default.</p>`;
  if (!o.isAdmin) {
    return html`${intro}
  <h2 id="spam-settings">Spam filter</h2>
  ${settingsInForce(o.settings, o.defaults)}
  <p>These settings are changed by the domain's admins.</p>`;
  }
  return html`${intro}
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

/** The domain's spam settings in force (its own, or the server's defaults where it has none), read-only. */
function settingsInForce(settings: DomainSpamSettings, defaults: SpamDefaults): SafeHtml {
  const junk = settings.junkScore ?? defaults.junkScore;
  const reject = Math.max(settings.rejectScore ?? defaults.rejectScore, junk);
  return html`<dl class="spam-summary">
    <dt>Junk folder from score</dt><dd>${String(junk)}</dd>
    <dt>Refused from score</dt><dd>${String(reject)}</dd>
    <dt>Greylisting</dt><dd>${settings.greylisting ? 'on' : 'off'}</dd>
    <dt>Allowed senders</dt><dd>${settings.allow.length > 0 ? settings.allow.join(', ') : 'none'}</dd>
    <dt>Refused senders</dt><dd>${settings.block.length > 0 ? settings.block.join(', ') : 'none'}</dd>
  </dl>`;
}

/**
 * What an alias page shows: the domain's settings in force for the alias's mail, where to change them, and for an
 * alias with a mailbox the link to its own classifier.
 */
export function spamSummary(o: {
  domain: Domain;
  alias?: Alias;
  settings: DomainSpamSettings;
  defaults: SpamDefaults;
}): SafeHtml {
  return html`<h2>Spam filter</h2>
  ${settingsInForce(o.settings, o.defaults)}
  <p>These are the settings of ${domainToDisplay(o.domain.name)}: <a href="${spamPath(o.domain)}">change them for the
    whole domain</a>.</p>
  ${
    o.alias?.mailboxId
      ? html`<p>The mailbox also learns from its owner what is spam:
    <a href="${classifierPath(o.domain, o.alias)}">see or reset what it has learnt</a> (asks for the mailbox password).</p>`
      : ''
  }`;
}

export function classifierPath(domain: Domain, alias: Alias): string {
  return `${aliasPath(domain, alias)}/spam-classifier`;
}

/**
 * An alias's own spam classifier: the mailbox password unlocks the mailbox for the one request (it is never
 * stored), to show what the classifier has learnt or to forget all of it.
 */
export function classifierView(o: {
  domain: Domain;
  alias: Alias;
  csrf: string;
  status?: SpamLearningStatus;
  forgotten?: boolean;
  error?: string;
}): SafeHtml {
  const s = o.status;
  const state = !s
    ? ''
    : html`<dl class="spam-summary" aria-label="What the classifier has learnt">
    <dt>Trained as spam</dt><dd>${String(s.trainedSpam)} messages</dd>
    <dt>Trained as not spam</dt><dd>${String(s.trainedHam)} messages</dd>
    <dt>Words kept</dt><dd>${String(s.tokens)} of at most ${String(s.maxTokens)}</dd>
    <dt>Files new mail into Junk</dt><dd>${
      s.active
        ? `yes, from a spam probability of ${Math.round(s.threshold * 100)} %`
        : s.enabled
          ? `not yet: it needs ${s.minTrained} messages of each kind`
          : 'no: learning is switched off on this server'
    }</dd>
  </dl>`;
  return html`<p><a href="${aliasPath(o.domain, o.alias)}">Back to ${address(o.alias, o.domain)}</a></p>
  <h2 id="classifier">What this mailbox has learnt about spam</h2>
  <p>Besides the domain's filter, the mailbox learns from its owner: moving a message into Junk, or marking it as
    junk in a mail client, teaches it spam; moving it out of Junk, or marking it as not junk, teaches it the
    opposite. Once it knows enough of both, it files likely spam into Junk when new mail is unlocked. What it learnt
    is kept inside the encrypted mailbox, so the mailbox password is needed to see it.</p>
  ${o.forgotten ? html`<p class="flash flash-ok" role="status">Everything it had learnt is forgotten.</p>` : ''}
  ${errorBox(o.error)}
  ${state}
  <form method="post" action="${classifierPath(o.domain, o.alias)}" class="card" aria-labelledby="classifier">
    ${csrfInput(o.csrf)}
    ${textInput({ label: 'Mailbox password', name: 'password', type: 'password', required: true, autocomplete: 'off' })}
    <button type="submit" name="action" value="show">Show what it has learnt</button>
    <button type="submit" name="action" value="forget" class="danger">Forget everything it has learnt</button>
  </form>`;
}
