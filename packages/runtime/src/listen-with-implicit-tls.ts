// A protocol served twice, as RFC 8314 asks: on its plain port (STARTTLS, STLS) and on its implicit-TLS port.
// IMAP (143/993) and POP3 (110/995) are started this way.

/** A server main.ts can listen (resolving with the bound port) and close. */
export interface Listener {
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** Closes both servers; `ports` are the ports bound (the configured ones, or those the system chose for 0). */
export interface ImplicitTlsListeners {
  (): Promise<void>;
  readonly ports: { port: number; tlsPort: number };
}

/**
 * Creates the plain and the implicit-TLS server with `create(secure)`, listens them on ports.port and
 * ports.tlsPort at host, and returns how to close both, with the ports bound.
 */
export async function listenWithImplicitTls(
  create: (secure: boolean) => Listener,
  ports: { port: number; tlsPort: number },
  host: string,
): Promise<ImplicitTlsListeners> {
  const plain = create(false);
  const implicitTls = create(true);
  const [port, tlsPort] = await Promise.all([plain.listen(ports.port, host), implicitTls.listen(ports.tlsPort, host)]);
  const stop = async () => {
    await Promise.all([plain.close(), implicitTls.close()]);
  };
  return Object.assign(stop, { ports: { port, tlsPort } });
}
