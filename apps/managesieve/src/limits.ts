/**
 * Every limit of the ManageSieve server in one place, with its reason (STYLE.md item 7). Settings an operator may
 * want to change (port, idle timeout, connection and failed-login limits) are in @mailyard/config (`managesieve.*`);
 * these protect the parser and follow from the protocol and from the script storage limits.
 */
import { SIEVE_STORAGE_LIMITS } from '@mailyard/control';

export const MANAGESIEVE_LIMITS = Object.freeze({
  /**
   * Bytes of one command line outside literals. The longest legitimate line is AUTHENTICATE with a PLAIN initial
   * response (two 320-octet addresses and a password in base64: under 2 KiB) or a quoted script name.
   */
  maxLineBytes: 8 * 1024,
  /** Octets of a quoted string: RFC 5804 §4 says quoted strings are at most 1024 octets (longer go as literals). */
  maxQuotedBytes: 1024,
  /** Octets of a literal the server reads: a script at its storage limit, plus room for the CRLF framing. */
  maxLiteralBytes: SIEVE_STORAGE_LIMITS.maxScriptBytes,
  /**
   * A literal over maxLiteralBytes but at most this long is read and thrown away, so the client gets NO
   * (QUOTA/MAXSIZE) and the session goes on; past it the server says BYE rather than read megabytes.
   */
  maxDiscardBytes: 1024 * 1024,
  /** Arguments of one command: RENAMESCRIPT and HAVESPACE take two, AUTHENTICATE at most two. */
  maxArguments: 4,
  /** Commands in a row that fail to parse before BYE: a client this lost is not speaking ManageSieve. */
  maxBadCommands: 10,
  /** Time to finish a TLS handshake after STARTTLS before the connection is dropped. */
  tlsHandshakeMs: 30_000,
});
