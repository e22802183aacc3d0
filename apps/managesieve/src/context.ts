/** What a ManageSieve session is given: the control store's script and login methods, the login gate, TLS. */
import type { SecureContext } from 'node:tls';
import type { ControlStore } from '@mailyard/control';
import type { LoginGate } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';

export type ManageSieveControl = Pick<
  ControlStore,
  | 'verifyMailboxPassword'
  | 'listSieveScripts'
  | 'getSieveScript'
  | 'putSieveScript'
  | 'renameSieveScript'
  | 'deleteSieveScript'
  | 'setActiveSieveScript'
>;

export interface ManageSieveContext {
  logger: Logger;
  control: ManageSieveControl;
  /** The one failed-login gate (@mailyard/limits), shared by the process's connections. */
  loginGate: LoginGate;
  secureContext: SecureContext;
  allowInsecureAuth: boolean;
}

/** The logged-in mailbox: its address as given at login and the alias whose scripts the session manages. */
export interface SieveUser {
  address: string;
  aliasId: string;
}
