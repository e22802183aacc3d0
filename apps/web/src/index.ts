/**
 * @mailyard/web — the dashboard: what a person uses to run their mail, with the same operations as the REST API
 * (apps/api) for people who would rather click than curl. Server-rendered HTML (Koa), one stylesheet, no
 * JavaScript in the browser. Domain logic (adding domains, DNS records and their check, mailbox passwords) comes
 * from @mailyard/control, shared with the API and the CLI.
 *
 * Pages: sign up / log in / log out / password; domains with the DNS records to publish (MX RFC 5321 §5.1, SPF
 * RFC 7208, DKIM RFC 6376, DMARC RFC 7489) and a live check; aliases with search and paging, forwarding, mailbox
 * passwords shown once with the client settings (RFC 8314 ports); a backup page per mailbox (download the
 * encrypted copy or an mbox, import mbox / EML / zip uploads, restore a copy into it or into a new alias, each
 * after the mailbox password: routes/backup.ts); API tokens; the outbound log.
 * Autoconfiguration: Thunderbird /.well-known/autoconfig/mail/config-v1.1.xml, Outlook POST
 * /autodiscover/autodiscover.xml, for hosted domains only.
 *
 * On disk: uploads being imported (tmp/uploads) and encrypted copies being downloaded (tmp/backups), each deleted
 * when its import or download ends, under a scratch directory of the process that the next process to start
 * removes if this one dies (transfer-jobs.ts). Sessions live in the control store (only the SHA-256 of their id), so a restart
 * keeps people logged in and several web processes can serve the same users.
 *
 * Invariants:
 * - Every interpolated value is escaped by the `html` tagged template; markup comes only from templates.
 * - Every state-changing request carries a CSRF token bound to the session id (checked before routing).
 * - Content-Security-Policy allows no script at all, only our stylesheet, forms posting to ourselves, no framing.
 * - Session ids are 256-bit random, stored server-side, rotated at login; cookies are HttpOnly, SameSite=Lax,
 *   Secure with the __Host- prefix over TLS.
 * - Another account's domains and aliases answer 404, exactly like ones that do not exist.
 * - Secrets (API tokens, mailbox passwords, recovery keys) appear on exactly one page, the one creating them.
 * - A mailbox is unlocked only with the password typed into the form of that request (backup page), never kept.
 */
export { createWebServer, DEFAULT_LOGIN_LIMITS, type WebDeps, type WebServer } from './app.js';
export { outlookConfig, requestedAddress, thunderbirdConfig } from './autoconfig.js';
export { clientSettings, type ServerSetting } from './client-settings.js';
export { escapeHtml, html, SafeHtml } from './html.js';
export { DashboardSessions, type Session } from './sessions.js';
export type { LoginLimits } from './web-context.js';
