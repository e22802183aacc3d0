// Message-ID, In-Reply-To and References (RFC 5322 §3.6.4) and the Date field (§3.3), read leniently.

const MSG_ID = /<[^<>]*>/g;

/** The first msg-id of a field ('<...>'); a bare non-empty value when there are no angle brackets. */
export function firstMessageId(value: string | null): string | null {
  if (!value) return null;
  const match = value.match(MSG_ID)?.[0];
  if (match) return match;
  const bare = value.trim().split(/\s+/)[0];
  return bare ? bare : null;
}

/** All msg-ids of a References field, in order. */
export function messageIdList(value: string | null): string[] {
  if (!value) return [];
  const ids = value.match(MSG_ID);
  if (ids) return ids;
  return value.split(/\s+/).filter(Boolean);
}

/** Date header to a Date (RFC 5322 §3.3, obsolete zones and two-digit years accepted); null when unreadable. */
export function parseDate(value: string | null): Date | null {
  if (!value) return null;
  const cleaned = value
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const time = Date.parse(cleaned);
  if (!Number.isNaN(time)) return new Date(time);
  const withoutWeekday = Date.parse(cleaned.replace(/^[A-Za-z]+,?\s*/, ''));
  return Number.isNaN(withoutWeekday) ? null : new Date(withoutWeekday);
}
