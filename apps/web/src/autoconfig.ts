/**
 * Mail client autoconfiguration for hosted domains.
 * - Thunderbird: GET /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=... (and /mail/config-v1.1.xml on
 *   an autoconfig.<domain> host), the "clientConfig" format version 1.1 of Mozilla's ISPDB.
 * - Outlook: POST /autodiscover/autodiscover.xml with an Autodiscover request naming <EMailAddress>, answered with
 *   the "outlook/responseschema/2006a" format (IMAP and SMTP protocols).
 * Unhosted domains get 404: the server does not describe itself for domains it does not serve.
 */
import type { ControlStore } from '@mailyard/control';
import { splitAddress } from '@mailyard/control';
import { readBoundedBody } from '@mailyard/limits';
import type { Context } from 'koa';
import { clientSettings, type ServerSetting } from './client-settings.js';
import { html, type SafeHtml } from './html.js';
import type { WebRouteDeps, WebRouter } from './web-context.js';

/** Autodiscover requests are a few hundred bytes. */
const AUTODISCOVER_LIMIT_BYTES = 16 * 1024;

const SOCKET_TYPE = { 'SSL/TLS': 'SSL', STARTTLS: 'STARTTLS' } as const;

function thunderbirdServer(setting: ServerSetting): SafeHtml {
  const tag = setting.protocol === 'SMTP' ? 'outgoingServer' : 'incomingServer';
  return html`
    <${tag} type="${setting.protocol.toLowerCase()}">
      <hostname>${setting.host}</hostname>
      <port>${setting.port}</port>
      <socketType>${SOCKET_TYPE[setting.security]}</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </${tag}>`;
}

export function thunderbirdConfig(domain: string, settings: ServerSetting[]): string {
  return html`<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${domain}">
    <domain>${domain}</domain>
    <displayName>${domain}</displayName>
    <displayShortName>${domain}</displayShortName>${settings.map(thunderbirdServer)}
  </emailProvider>
</clientConfig>
`.value;
}

function outlookProtocol(setting: ServerSetting, address: string): SafeHtml {
  return html`
      <Protocol>
        <Type>${setting.protocol}</Type>
        <Server>${setting.host}</Server>
        <Port>${setting.port}</Port>
        <DomainRequired>off</DomainRequired>
        <LoginName>${address}</LoginName>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>`;
}

export function outlookConfig(address: string, settings: ServerSetting[]): string {
  // Outlook's autodiscover only knows implicit TLS ("SSL on") for IMAP and SMTP.
  const implicit = settings.filter((s) => s.security === 'SSL/TLS' && s.protocol !== 'POP3');
  return html`<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>${implicit.map((s) => outlookProtocol(s, address))}
    </Account>
  </Response>
</Autodiscover>
`.value;
}

/** The address in an Autodiscover request body: <EMailAddress>user@example.com</EMailAddress>. */
export function requestedAddress(body: string): string | null {
  const match = /<EMailAddress>\s*([^<\s]+)\s*<\/EMailAddress>/i.exec(body);
  return match?.[1] ?? null;
}

async function hostedDomainOf(control: ControlStore, address: string | undefined): Promise<string | null> {
  const parts = address ? splitAddress(address) : null;
  if (!parts || !(await control.isHostedDomain(parts.domain))) return null;
  return parts.domain;
}

function sendXml(ctx: Context, xml: string): void {
  ctx.type = 'application/xml; charset=utf-8';
  ctx.set('Cache-Control', 'public, max-age=3600');
  ctx.body = xml;
}

export function registerAutoconfigRoutes(router: WebRouter, deps: WebRouteDeps): void {
  const thunderbird = async (ctx: Context) => {
    const address = typeof ctx.query.emailaddress === 'string' ? ctx.query.emailaddress : undefined;
    // On autoconfig.<domain> Thunderbird may omit the address; the host names the domain then.
    const domain = await hostedDomainOf(deps.control, address ?? `user@${ctx.hostname.replace(/^autoconfig\./, '')}`);
    if (!domain) return notHosted(ctx);
    sendXml(ctx, thunderbirdConfig(domain, clientSettings(deps.config)));
  };
  router.get('/.well-known/autoconfig/mail/config-v1.1.xml', thunderbird);
  router.get('/mail/config-v1.1.xml', thunderbird);

  router.post('/autodiscover/autodiscover.xml', async (ctx: Context) => {
    const body = (
      await readBoundedBody(ctx, { maxBytes: AUTODISCOVER_LIMIT_BYTES, label: 'the autodiscover request' })
    ).toString('utf8');
    const address = requestedAddress(body);
    if (!address || !(await hostedDomainOf(deps.control, address))) return notHosted(ctx);
    sendXml(ctx, outlookConfig(address, clientSettings(deps.config)));
  });
}

function notHosted(ctx: Context): void {
  ctx.status = 404;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = 'This server does not host that domain.\n';
}
