/** Outbound messages with the status of each recipient, and one message's delivery log. */
import type { DeliveryLogEntry, QueueItemSummary } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import { dateTime, statusBadge } from './forms.js';

function recipients(item: QueueItemSummary): SafeHtml {
  const entries = item.recipients.map(
    (r) =>
      html`<li>${r.address} ${statusBadge(r.status)}${r.lastError ? html` <span class="hint">${r.lastError}</span>` : ''}</li>`,
  );
  return html`<ul class="plain">${entries}</ul>`;
}

function itemRow(item: QueueItemSummary): SafeHtml {
  return html`<tr>
    <td data-label="Queued"><a href="/outbound/${encodeURIComponent(item.id)}">${dateTime(item.createdAt)}</a></td>
    <td data-label="From">${item.envelopeFrom || '<> (bounce)'}</td>
    <td data-label="Recipients">${recipients(item)}</td>
    <td data-label="State">${item.state}</td>
    <td data-label="Attempts">${item.attempts}</td>
    <td data-label="Next attempt">${item.state === 'queued' ? dateTime(item.nextAttemptAt) : '—'}</td>
  </tr>`;
}

export function outboundView(o: { items: QueueItemSummary[]; limit: number }): SafeHtml {
  if (o.items.length === 0) return html`<p>No outgoing messages from your domains yet.</p>`;
  return html`<p>The ${o.limit} most recent outgoing messages of your domains.</p>
  <div class="table-wrap"><table class="stack">
    <caption>Outgoing messages</caption>
    <thead><tr><th scope="col">Queued</th><th scope="col">From</th><th scope="col">Recipients</th>
      <th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Next attempt</th></tr></thead>
    <tbody>${o.items.map(itemRow)}</tbody></table></div>`;
}

export function deliveryLogView(o: { item: QueueItemSummary; log: DeliveryLogEntry[] }): SafeHtml {
  const rows = o.log.map(
    (
      entry,
    ) => html`<tr><td data-label="Time">${dateTime(entry.at)}</td><td data-label="Recipient">${entry.recipient}</td>
      <td data-label="Status">${statusBadge(entry.status)}</td><td data-label="Message">${entry.message ?? ''}</td></tr>`,
  );
  return html`<p><a href="/outbound">Back to outgoing messages</a></p>
  ${recipients(o.item)}
  ${
    o.log.length === 0
      ? html`<p>No delivery attempts yet.</p>`
      : html`<div class="table-wrap"><table class="stack"><caption>Delivery log</caption>
    <thead><tr><th scope="col">Time</th><th scope="col">Recipient</th><th scope="col">Status</th>
      <th scope="col">Message</th></tr></thead><tbody>${rows}</tbody></table></div>`
  }`;
}
