/**
 * The spam filter settings of a domain (docs/spam.md): junk and reject thresholds (null: the server defaults of
 * config spam.junkScore / spam.rejectScore), greylisting on or off, and the sender allow and block lists.
 * GET/PUT on the domain; GET on an alias shows the settings that apply to mail for it (its domain's). A PUT
 * changes only the fields it names; a list given replaces the whole list.
 */
import type { DomainSpamSettings } from '@mailyard/control';
import { NotFoundError } from '@mailyard/errors';
import { z } from 'zod';
import { type ApiContext, type ApiRouter, adminDomain, body, ownDomain, param, type RouteDeps } from '../context.js';
import { parseInput } from '../validation.js';

const score = z.number().min(0).max(1000).nullable();
/** An address or a domain; the control store checks the form. */
const entries = z.array(z.string().min(1).max(320)).max(1000);

export const spamSettingsUpdate = z.strictObject({
  junk_score: score.optional(),
  reject_score: score.optional(),
  greylisting: z.boolean().optional(),
  allow: entries.optional(),
  block: entries.optional(),
});

export const spamSettingsOut = z.strictObject({
  domain: z.string(),
  /** Present on an alias's view: the address the settings apply to. */
  alias: z.string().optional(),
  junk_score: z.number().nullable(),
  reject_score: z.number().nullable(),
  greylisting: z.boolean(),
  allow: z.array(z.string()),
  block: z.array(z.string()),
  /** The thresholds in force: the domain's, or the server defaults where it has none. */
  effective: z.strictObject({ junk_score: z.number(), reject_score: z.number() }),
});

function present(deps: RouteDeps, domain: string, s: DomainSpamSettings, alias?: string) {
  const junk = s.junkScore ?? deps.config.spam.junkScore;
  return {
    domain,
    ...(alias ? { alias } : {}),
    junk_score: s.junkScore,
    reject_score: s.rejectScore,
    greylisting: s.greylisting,
    allow: s.allow,
    block: s.block,
    effective: { junk_score: junk, reject_score: Math.max(s.rejectScore ?? deps.config.spam.rejectScore, junk) },
  };
}

export function registerSpamSettingsRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/domains/:domain/spam-settings', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    ctx.body = present(deps, domain.name, await deps.control.getSpamSettings(domain.id));
  });

  router.put('/domains/:domain/spam-settings', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'change its spam settings');
    const input = parseInput(spamSettingsUpdate, await body(ctx, deps));
    const updated = await deps.control.updateSpamSettings(domain.id, {
      ...(input.junk_score !== undefined ? { junkScore: input.junk_score } : {}),
      ...(input.reject_score !== undefined ? { rejectScore: input.reject_score } : {}),
      ...(input.greylisting !== undefined ? { greylisting: input.greylisting } : {}),
      ...(input.allow !== undefined ? { allow: input.allow } : {}),
      ...(input.block !== undefined ? { block: input.block } : {}),
    });
    deps.logger.info({ domain: domain.name }, 'spam settings updated');
    ctx.body = present(deps, domain.name, updated);
  });

  router.get('/domains/:domain/aliases/:alias/spam-settings', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    const alias = await deps.control.findAlias(domain.id, param(ctx, 'alias'));
    if (!alias) throw new NotFoundError('alias not found');
    const settings = await deps.control.getSpamSettings(domain.id);
    ctx.body = present(deps, domain.name, settings, `${alias.name}@${domain.name}`);
  });
}
