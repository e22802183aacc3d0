// A protocol served twice, as RFC 8314 asks: on its plain port (STARTTLS, STLS) and on its implicit-TLS port.
// IMAP (143/993) and POP3 (110/995) are started this way.

/** A server main.ts can listen and close. */
export interface Listener {
  listen(port: number, host: string): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Creates the plain and the implicit-TLS server with `create(secure)`, listens them on ports.port and
 * ports.tlsPort at host, and returns how to close both.
 */
export async function listenWithImplicitTls(
  create: (secure: boolean) => Listener,
  ports: { port: number; tlsPort: number },
  host: string,
): Promise<() => Promise<void>> {
  const plain = create(false);
  const implicitTls = create(true);
  await Promise.all([plain.listen(ports.port, host), implicitTls.listen(ports.tlsPort, host)]);
  return async () => {
    await Promise.all([plain.close(), implicitTls.close()]);
  };
}
