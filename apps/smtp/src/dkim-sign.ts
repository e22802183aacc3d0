/**
 * DKIM signatures by a hosted domain's key (RFC 6376, relaxed/relaxed, rsa-sha256): submitted mail and the
 * notices we write for a domain's users (Sieve vacation replies). The message is read as a stream.
 */
import { Readable } from 'node:stream';
import { ServerError } from '@mailyard/errors';
import type { SmtpContext } from './deps.js';
import { mailauth } from './lazy-mailauth.js';
import type { MessageBody } from './received-message.js';

/** The DKIM-Signature header (CRLF-terminated) of `message` by `domain`; ServerError when the domain has no key. */
export async function signFor(ctx: SmtpContext, domain: string, message: MessageBody): Promise<string> {
  const key = await ctx.control.getDkimKey(domain);
  if (!key) throw new ServerError(`no DKIM key for hosted domain ${domain}`);
  // mailauth 4.x signs only what is listed in signatureData; the top-level fields only satisfy its types.
  const signature = { signingDomain: domain, selector: key.selector, privateKey: key.privateKeyPem };
  const { dkimSign } = await mailauth();
  const signed = await dkimSign(Readable.from(message.open()), {
    ...signature,
    canonicalization: 'relaxed/relaxed',
    algorithm: 'rsa-sha256',
    signatureData: [{ ...signature, canonicalization: 'relaxed/relaxed', algorithm: 'rsa-sha256' }],
  });
  if (signed.errors.length > 0 || !signed.signatures.startsWith('DKIM-Signature:')) {
    throw new ServerError(`DKIM signing failed for ${domain}`, { cause: signed.errors[0] });
  }
  return signed.signatures;
}
