/**
 * Shared set-up of the imaptest-group wire tests: one harness per file, a user, raw wire sessions logged in
 * (optionally with a folder selected), and APPEND over the wire with a synchronizing literal.
 */
import { type Harness, message, startHarness, type TestUser } from '../harness.js';
import { loginWire, type WireClient } from '../wire-client.js';

export interface Fixture {
  h: Harness;
  user: TestUser;
  /** A logged-in raw session; selects `folder` when given. */
  session(folder?: string): Promise<WireClient>;
  close(): Promise<void>;
}

export async function fixture(name: string): Promise<Fixture> {
  const h = await startHarness();
  const user = await h.addUser(name);
  const open: WireClient[] = [];
  return {
    h,
    user,
    async session(folder) {
      const wire = await loginWire(h.port, user.address, user.password);
      open.push(wire);
      if (folder) {
        const reply = await wire.command('S0', `SELECT ${folder}`);
        if (!/^S0 OK/m.test(reply)) throw new Error(`SELECT failed: ${reply}`);
      }
      return wire;
    },
    async close() {
      for (const wire of open) wire.close();
      await h.close();
    },
  };
}

/** APPEND over the wire; resolves with the whole reply up to the tagged line. */
export async function appendWire(
  wire: WireClient,
  tag: string,
  folder: string,
  raw: Buffer,
  extra = '',
): Promise<string> {
  wire.send(`${tag} APPEND ${folder}${extra} {${raw.length}}\r\n`);
  await wire.readUntil(/^\+ /);
  wire.send(Buffer.concat([raw, Buffer.from('\r\n')]));
  return wire.readUntil(new RegExp(`^${tag} (OK|NO|BAD)`));
}

export { message };
