// Dates for the date and currentdate tests (RFC 5260 §4-5): RFC 5322 §3.3 date-time parsing (obsolete zone names
// of §4.3 included), time zone conversion for :zone and :originalzone, and the date parts of RFC 5260 §4.2.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** RFC 5322 §4.3 obsolete zones; military letters other than Z mean "unknown", i.e. -0000, treated as +0000. */
const NAMED_ZONES: Record<string, number> = {
  ut: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

/** An instant with the zone offset it was written in (minutes east of UTC). */
export interface ZonedTime {
  epochMs: number;
  offset: number;
}

const DATE_TIME =
  /^\s*(?:[A-Za-z]{3}\s*,\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]+)?/;

/** Parses an RFC 5322 date-time (comments after it are ignored); null when it does not parse (RFC 5260 §4: false). */
export function parseMessageDate(text: string): ZonedTime | null {
  const m = DATE_TIME.exec(text.replace(/\([^)]*\)/g, ' '));
  if (!m) return null;
  const month = MONTHS.indexOf((m[2] as string).toLowerCase());
  if (month < 0) return null;
  let year = Number(m[3]);
  if ((m[3] as string).length === 2) year += year < 50 ? 2000 : 1900;
  else if ((m[3] as string).length === 3) year += 1900;
  const offset = zoneOffset(m[7] ?? '+0000');
  if (offset === null) return null;
  const local = Date.UTC(year, month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (Number.isNaN(local)) return null;
  return { epochMs: local - offset * 60_000, offset };
}

/** "+hhmm" / "-hhmm" or an obsolete name to minutes east of UTC; null for a malformed zone. */
export function zoneOffset(zone: string): number | null {
  const numeric = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    if (Number(numeric[3]) > 59) return null;
    return numeric[1] === '-' ? -minutes : minutes;
  }
  const lower = zone.toLowerCase();
  if (lower in NAMED_ZONES) return NAMED_ZONES[lower] as number;
  return /^[a-z]$/.test(lower) ? 0 : null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function formatZone(offset: number): string {
  const abs = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** The value of a date part (RFC 5260 §4.2) of an instant shown in the zone `offset`; null for an unknown part. */
export function datePart(time: ZonedTime, offset: number, part: string): string | null {
  const d = new Date(time.epochMs + offset * 60_000);
  const year = pad(d.getUTCFullYear(), 4);
  const month = pad(d.getUTCMonth() + 1);
  const day = pad(d.getUTCDate());
  const hms = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const zone = formatZone(offset);
  switch (part.toLowerCase()) {
    case 'year':
      return year;
    case 'month':
      return month;
    case 'day':
      return day;
    case 'date':
      return `${year}-${month}-${day}`;
    case 'julian':
      // Modified Julian Day: days since 1858-11-17 (RFC 5260 §4.2), of the local calendar date.
      return String(Math.floor(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) / 86_400_000) + 40_587);
    case 'hour':
      return pad(d.getUTCHours());
    case 'minute':
      return pad(d.getUTCMinutes());
    case 'second':
      return pad(d.getUTCSeconds());
    case 'time':
      return hms;
    case 'iso8601':
      return `${year}-${month}-${day}T${hms}${zone.slice(0, 3)}:${zone.slice(3)}`;
    case 'std11':
      return `${DAYS[d.getUTCDay()]}, ${Number(day)} ${capital(MONTHS[d.getUTCMonth()] as string)} ${year} ${hms} ${zone}`;
    case 'zone':
      return zone;
    case 'weekday':
      return String(d.getUTCDay());
    default:
      return null;
  }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
