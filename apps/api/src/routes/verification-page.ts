/**
 * The small HTML pages of a recipient verification link (alias-verification.ts): the page the link opens, with the
 * button that confirms; the page after confirming; the page of an unknown or withdrawn link. Self-contained: one
 * inline style allowed by its hash, no script, no image, no external resource, and a Content-Security-Policy that
 * allows nothing else; the form posts only to this API ('self'). The token is only in the form's hidden field (the
 * POST body), never in a URL the page makes the browser fetch.
 */
import { createHash } from 'node:crypto';
import { domainToDisplay, type RecipientVerificationLink } from '@mailyard/control';

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}' +
  'b{word-break:break-all}button{font:inherit;padding:.5rem 1.25rem;cursor:pointer}';

/** What the pages may load: their one style and nothing else; forms post to this origin only. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The alias's address as people write it (the domain in Unicode). */
export function aliasAddress(link: Pick<RecipientVerificationLink, 'aliasName' | 'domainName'>): string {
  return `${link.aliasName}@${domainToDisplay(link.domainName)}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${content}
</body>
</html>
`;
}

/** The link's page: what confirming means, and the button that does it (POST, the token in the body). */
export function askPage(link: RecipientVerificationLink, token: string): string {
  return page(
    'Confirm forwarding',
    `<p>Mail sent to <b>${escapeHtml(aliasAddress(link))}</b> is to be forwarded to <b>${escapeHtml(link.recipient)}</b>.
Nothing is forwarded to that address until you confirm here.</p>
<form method="post" action="verify">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">Confirm forwarding to ${escapeHtml(link.recipient)}</button>
</form>
<p>If you did not expect this, close this page: nothing will be forwarded to you.</p>`,
  );
}

/** After confirming (`now`), or when the link had been confirmed before. */
export function confirmedPage(link: RecipientVerificationLink, when: 'now' | 'before'): string {
  return page(
    'Forwarding confirmed',
    `<p>${when === 'now' ? 'Confirmed' : 'This was confirmed before'}: mail sent to <b>${escapeHtml(aliasAddress(link))}</b> is forwarded to <b>${escapeHtml(link.recipient)}</b>.</p>`,
  );
}

export function unknownLinkPage(): string {
  return page(
    'Unknown link',
    '<p>This verification link is unknown or no longer valid: a newer link may have been sent, or the forward was removed. Nothing was changed.</p>',
  );
}
