/**
 * The mail store's quota source in every process: each mailbox's limits resolved from control.db (the alias's
 * max_quota and max_messages, its domain's per-alias limit and cap, the server default; control/quotas.ts), and
 * the usage that sessions holding a mailbox unlocked report back, which delivery then reads without the password.
 */
import { type ControlStore, resolveQuota } from '@mailyard/control';
import type { QuotaSource } from '@mailyard/mailstore';

export function controlQuotaSource(control: ControlStore, defaultBytes: number): QuotaSource {
  return {
    async limits(mailboxId) {
      const record = await control.mailboxQuota(mailboxId);
      if (!record) return null;
      const quota = resolveQuota(record, defaultBytes);
      return { bytes: quota.bytes, messages: quota.messages };
    },
    report: (mailboxId, usage) => control.recordMailboxUsage(mailboxId, usage),
  };
}
