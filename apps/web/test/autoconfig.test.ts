import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWebServer } from '../src/index.js';
import { type Harness, HOSTNAME, startHarness, WebClient } from './harness.js';

describe('mail client autoconfiguration', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    const owner = await new WebClient(h.base).signUp('owner@hosted.example');
    expect((await owner.post('/domains', { name: 'hosted.example' })).status).toBe(303);
    await h.control.setDomainVerification((await h.control.findDomainByName('hosted.example'))?.id ?? '', 'admin');
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('Thunderbird gets config-v1.1 for a hosted domain, 404 for any other', async () => {
    const res = await fetch(`${h.base}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=jane%40hosted.example`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<clientConfig version="1.1">/);
    expect(xml).toContain('<domain>hosted.example</domain>');
    const imap = /<incomingServer type="imap">([\s\S]*?)<\/incomingServer>/.exec(xml)?.[1] ?? '';
    expect(imap).toContain(`<hostname>${HOSTNAME}</hostname>`);
    expect(imap).toContain(`<port>${h.config.imap.tlsPort}</port>`);
    expect(imap).toContain('<socketType>SSL</socketType>');
    expect(imap).toContain('<username>%EMAILADDRESS%</username>');
    expect(xml).toContain('<outgoingServer type="smtp">');
    expect(xml).toContain(`<port>${h.config.smtp.submissionPort}</port>\n      <socketType>STARTTLS</socketType>`);

    const other = await fetch(
      `${h.base}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=x%40elsewhere.example`,
    );
    expect(other.status).toBe(404);
    const bare = await new Promise<number | undefined>((resolve, reject) => {
      const url = new URL(h.base);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: '/mail/config-v1.1.xml',
          headers: { host: 'autoconfig.hosted.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(bare).toBe(200);
  });

  test('Outlook autodiscover answers a POSTed request for a hosted address without a CSRF token', async () => {
    const body = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>jane@hosted.example</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request></Autodiscover>`;
    const res = await fetch(`${h.base}/Autodiscover/Autodiscover.xml`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
    });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain('<LoginName>jane@hosted.example</LoginName>');
    expect(xml).toContain(
      `<Type>IMAP</Type>\n        <Server>${HOSTNAME}</Server>\n        <Port>${h.config.imap.tlsPort}</Port>`,
    );
    expect(xml).toContain(
      `<Type>SMTP</Type>\n        <Server>${HOSTNAME}</Server>\n        <Port>${h.config.smtp.submissionTlsPort}</Port>`,
    );
    const unhosted = await fetch(`${h.base}/autodiscover/autodiscover.xml`, {
      method: 'POST',
      body: body.replace('hosted.example', 'nothosted.example'),
    });
    expect(unhosted.status).toBe(404);
  });

  test('the standard ports are announced when the server is not bound to loopback', async () => {
    const { clientSettings } = await import('../src/index.js');
    const ports = clientSettings({ ...h.config, bind: '0.0.0.0' }).map((s) => `${s.protocol} ${s.port} ${s.security}`);
    expect(ports).toEqual([
      'IMAP 993 SSL/TLS',
      'IMAP 143 STARTTLS',
      'POP3 995 SSL/TLS',
      'POP3 110 STARTTLS',
      'SMTP 465 SSL/TLS',
      'SMTP 587 STARTTLS',
    ]);
  });

  test('over TLS the session cookie is Secure with the __Host- prefix and HSTS is sent', async () => {
    const web = createWebServer({
      config: h.config,
      logger: h.logger,
      control: h.control,
      mailstore: h.mailstore,
      tls: h.tls,
    });
    const port = await web.listen(0, '127.0.0.1');
    try {
      const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/login', rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.headers);
        });
        req.on('error', reject);
        req.end();
      });
      const [pair, ...attributes] = String(headers['set-cookie']?.[0]).split('; ');
      expect(pair).toMatch(/^__Host-mailyard=[A-Za-z0-9_-]{43}$/);
      expect(attributes.sort()).toEqual(['httponly', 'path=/', 'samesite=lax', 'secure']);
      expect(headers['strict-transport-security']).toBe('max-age=31536000');
    } finally {
      await web.close();
    }
  });
});
