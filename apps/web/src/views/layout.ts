/** The page frame: skip link, header with navigation, one h1, the flash message, the content. */
import type { Account } from '@mailyard/control';
import { html, type SafeHtml } from '../html.js';
import type { Flash } from '../sessions.js';
import { STYLESHEET_PATH } from '../stylesheet.js';
import { csrfInput } from './forms.js';

export interface PageInput {
  title: string;
  body: SafeHtml;
  account: Account | null;
  csrf: string;
  /** Request path, to mark the current section in the navigation. */
  path: string;
  flash?: Flash | null;
}

const SECTIONS = [
  { href: '/domains', label: 'Domains' },
  { href: '/tokens', label: 'API tokens' },
  { href: '/outbound', label: 'Outbound' },
  { href: '/account', label: 'Account' },
];

function navigation(input: PageInput): SafeHtml {
  if (!input.account) {
    return html`<nav aria-label="Main"><ul>
      <li><a href="/login">Log in</a></li><li><a href="/signup">Sign up</a></li>
    </ul></nav>`;
  }
  const links = SECTIONS.map(({ href, label }) => {
    const current = input.path === href || input.path.startsWith(`${href}/`);
    return html`<li><a href="${href}"${current ? html` aria-current="page"` : ''}>${label}</a></li>`;
  });
  return html`<nav aria-label="Main"><ul>${links}
    <li><form method="post" action="/logout" class="inline">${csrfInput(input.csrf)}
      <button type="submit" class="link">Log out</button></form></li>
  </ul></nav>`;
}

export function flashMessage(flash: Flash | null | undefined): SafeHtml {
  if (!flash) return html``;
  return flash.kind === 'ok'
    ? html`<p class="flash flash-ok" role="status">${flash.text}</p>`
    : html`<p class="flash flash-error" role="alert">${flash.text}</p>`;
}

export function layout(input: PageInput): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${input.title} · Mailyard</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">Mailyard</a>
  ${navigation(input)}
</header>
<main id="main" tabindex="-1">
<h1>${input.title}</h1>
${flashMessage(input.flash)}
${input.body}
</main>
<footer class="bottom"><p>${input.account ? html`Signed in as ${input.account.email}` : 'Mailyard mail server'}</p></footer>
</body>
</html>
`.value;
}
