/**
 * /v1/spam-classifier: the mailbox's own spam classifier (docs/spam.md, "Learning per mailbox"), with the mailbox's
 * own credentials (HTTP Basic: alias address and mailbox password, mailbox-auth.ts), as for /v1/messages: the
 * classifier lives inside the encrypted mailbox, so only an unlocked session can read or reset it. GET shows what
 * it has learnt; DELETE forgets all of it (the drain stops filing until enough mail of each class is trained again).
 */
import type { SpamLearningStatus } from '@mailyard/mailstore';
import { z } from 'zod';
import type { ApiContext, ApiRouter, RouteDeps } from '../context.js';
import { withMailbox } from '../mailbox-auth.js';

export const spamClassifierOut = z.strictObject({
  /** Messages trained as spam (moved into Junk, marked $Junk) and as ham (moved out of Junk, marked $NotJunk). */
  trained_spam: z.number().int(),
  trained_ham: z.number().int(),
  /** Distinct tokens kept, and the number the table is cut back to when it grows past it. */
  tokens: z.number().int(),
  max_tokens: z.number().int(),
  /** Messages of each class to train before likely spam is filed into Junk. */
  min_trained: z.number().int(),
  /** Spam probability (0 to 1) from which a new message is filed into Junk. */
  threshold: z.number(),
  /** Learning is switched on for the server (mailbox.spamLearning). */
  enabled: z.boolean(),
  /** New mail is filed by the classifier now: learning on and enough of each class trained. */
  active: z.boolean(),
});

export function presentClassifier(status: SpamLearningStatus): z.infer<typeof spamClassifierOut> {
  return {
    trained_spam: status.trainedSpam,
    trained_ham: status.trainedHam,
    tokens: status.tokens,
    max_tokens: status.maxTokens,
    min_trained: status.minTrained,
    threshold: status.threshold,
    enabled: status.enabled,
    active: status.active,
  };
}

export function registerSpamClassifierRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/spam-classifier', (ctx: ApiContext) =>
    withMailbox(ctx, deps, (session) => {
      ctx.body = presentClassifier(session.spamLearning());
    }),
  );
  router.delete('/spam-classifier', (ctx: ApiContext) =>
    withMailbox(ctx, deps, (session) => {
      session.forgetSpamLearning();
      ctx.status = 204;
    }),
  );
}
