/**
 * Spam filter settings of a domain in the dashboard (the same control store methods as the API's
 * /v1/domains/:domain/spam-settings). Bad input (a threshold that is no number, a reject threshold not above the
 * Junk one, a list entry that is neither an address nor a domain) is shown above the form, and nothing changes.
 * And an alias's own spam classifier (the API's /v1/spam-classifier): shown or forgotten after the mailbox password.
 */
import type { SpamSettingsPatch } from '@mailyard/control';
import { NotFoundError, RateLimitError, UserError, ValidationError } from '@mailyard/errors';
import { checkbox, field } from '../form-body.js';
import { unlockMailbox } from '../mailbox-unlock.js';
import { attempt, ok, redirectTo, render } from '../page.js';
import { address } from '../views/aliases.js';
import { classifierView, type SpamForm, spamPath, spamSettingsView } from '../views/spam.js';
import {
  adminDomain,
  isDomainAdmin,
  ownAlias,
  ownDomain,
  type WebContext,
  type WebRouteDeps,
  type WebRouter,
} from '../web-context.js';

function score(label: string, text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) throw new ValidationError(`The ${label} threshold must be a number, or empty.`);
  return value;
}

function lines(text: string): string[] {
  return text
    .split(/[\r\n,]+/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

export function registerSpamRoutes(router: WebRouter, deps: WebRouteDeps): void {
  const defaults = { junkScore: deps.config.spam.junkScore, rejectScore: deps.config.spam.rejectScore };
  const title = 'Spam filter';

  router.get('/domains/:domain/spam', async (ctx: WebContext) => {
    const domain = await ownDomain(ctx, deps);
    const settings = await deps.control.getSpamSettings(domain.id);
    const isAdmin = await isDomainAdmin(ctx, deps, domain);
    render(ctx, title, spamSettingsView({ domain, settings, defaults, csrf: ctx.state.csrf, isAdmin }));
  });

  router.post('/domains/:domain/spam', async (ctx: WebContext) => {
    const domain = await adminDomain(ctx, deps);
    const form: SpamForm = {
      junkScore: field(ctx.state.form, 'junk_score'),
      rejectScore: field(ctx.state.form, 'reject_score'),
      greylisting: checkbox(ctx.state.form, 'greylisting'),
      allow: field(ctx.state.form, 'allow'),
      block: field(ctx.state.form, 'block'),
    };
    const result = await attempt(async () => {
      const patch: SpamSettingsPatch = {
        junkScore: score('Junk', form.junkScore),
        rejectScore: score('reject', form.rejectScore),
        greylisting: form.greylisting,
        allow: lines(form.allow),
        block: lines(form.block),
      };
      return deps.control.updateSpamSettings(domain.id, patch);
    });
    if (!result.ok) {
      const settings = await deps.control.getSpamSettings(domain.id);
      const view = spamSettingsView({
        domain,
        settings,
        defaults,
        csrf: ctx.state.csrf,
        form,
        error: result.error,
        isAdmin: true,
      });
      return render(ctx, title, view, 400);
    }
    redirectTo(ctx, spamPath(domain), ok('Spam settings saved.'));
  });

  const classifierTitle = 'Spam classifier';
  const withMailbox = async (ctx: WebContext) => {
    const found = await ownAlias(ctx, deps);
    if (!found.alias.mailboxId) throw new NotFoundError('This alias has no mailbox: give it a password first.');
    return found;
  };

  router.get('/domains/:domain/aliases/:alias/spam-classifier', async (ctx: WebContext) => {
    const { domain, alias } = await withMailbox(ctx);
    render(
      ctx,
      `${classifierTitle} of ${address(alias, domain)}`,
      classifierView({ domain, alias, csrf: ctx.state.csrf }),
    );
  });

  router.post('/domains/:domain/aliases/:alias/spam-classifier', async (ctx: WebContext) => {
    const { domain, alias } = await withMailbox(ctx);
    const forget = field(ctx.state.form, 'action') === 'forget';
    const title = `${classifierTitle} of ${address(alias, domain)}`;
    try {
      const session = await unlockMailbox(ctx, deps, domain, alias, ctx.state.form.get('password') ?? '');
      try {
        const status = forget ? session.forgetSpamLearning() : session.spamLearning();
        render(ctx, title, classifierView({ domain, alias, csrf: ctx.state.csrf, status, forgotten: forget }));
      } finally {
        session.close();
      }
    } catch (err) {
      if (!(err instanceof UserError) || err instanceof RateLimitError) throw err;
      const view = classifierView({ domain, alias, csrf: ctx.state.csrf, error: err.message });
      render(ctx, title, view, err instanceof ValidationError ? 400 : 403);
    }
  });
}
