/**
 * mailauth, loaded on first use rather than at start: it brings undici, joi, nodemailer and the BIMI/VMC
 * certificate parsers along, about 30 MB RSS (10 MB of heap) in each process that imports it (issue 15). The MX
 * loads it with its first message, submission with the first message it signs, the api process with its first
 * POST /v1/emails; a process that sends or receives nothing never does.
 */
type Mailauth = typeof import('mailauth');

let loading: Promise<Mailauth> | undefined;

export function mailauth(): Promise<Mailauth> {
  loading ??= import('mailauth');
  return loading;
}
