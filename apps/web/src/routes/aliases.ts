/**
 * Aliases of a domain: search, label filter and paging, add, edit (name patterns, forwarding recipients, mailbox
 * on/off, enabled and the answer while disabled, labels, recipient verification: switched on here, links emailed
 * on save through the api process's sender, a new link per forward on request, as the API's resend), delete, and
 * mailbox passwords through @mailyard/control's issueMailboxPassword (zero-access: an existing mailbox's password
 * changes only with its current password or recovery key).
 */

import { requestVerifications, resendVerification } from '@mailyard/api';
import {
  type Alias,
  DISABLED_ANSWERS,
  type DisabledAnswer,
  type Domain,
  domainToDisplay,
  issueMailboxPassword,
  isWebhookUrl,
  webhookUrlRefusal,
} from '@mailyard/control';
import { NotFoundError, RateLimitError, UserError, ValidationError } from '@mailyard/errors';
import { clientSettings } from '../client-settings.js';
import { checkbox, type FormFields, field } from '../form-body.js';
import { attempt, ok, redirectTo, render } from '../page.js';
import {
  type AliasForm,
  address,
  aliasesView,
  aliasView,
  deleteAliasView,
  passwordIssuedView,
} from '../views/aliases.js';
import { spamSummary } from '../views/spam.js';
import {
  aliasPath,
  isDomainAdmin,
  ownAlias,
  ownDomain,
  pageNumber,
  type WebContext,
  type WebRouteDeps,
  type WebRouter,
} from '../web-context.js';
import { aliasStorageSection } from './quotas.js';

const PAGE_SIZE = 25;
const MAX_RECIPIENTS = 100;
const MAX_DESCRIPTION = 1000;

function aliasForm(form: FormFields): AliasForm {
  return {
    name: field(form, 'name'),
    recipients: field(form, 'recipients'),
    hasImap: checkbox(form, 'has_imap'),
    isEnabled: checkbox(form, 'is_enabled'),
    description: field(form, 'description'),
    labels: field(form, 'labels'),
    errorCodeIfDisabled: field(form, 'error_code_if_disabled').slice(0, 3),
    hasRecipientVerification: checkbox(form, 'has_recipient_verification'),
  };
}

/** '250', '421' or '550' (the select's options start with the code); anything else is refused. */
function disabledAnswer(code: string): DisabledAnswer {
  const answer = Number(code || '250');
  if (!(DISABLED_ANSWERS as readonly number[]).includes(answer)) throw new ValidationError('Choose an answer.');
  return answer as DisabledAnswer;
}

/**
 * One address per line or comma-separated; the control store validates each. A webhook URL is checked here too
 * (https only, no private or loopback target unless webhooks.allowPrivate), as the REST API does.
 */
function recipientList(text: string, allowPrivate: boolean): string[] {
  const list = text
    .split(/[\n,;]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (list.length > MAX_RECIPIENTS) throw new ValidationError(`At most ${MAX_RECIPIENTS} forwarding addresses.`);
  for (const entry of list) {
    const refusal = isWebhookUrl(entry) ? webhookUrlRefusal(entry, allowPrivate) : null;
    if (refusal) throw new ValidationError(`${refusal}: ${entry}`);
  }
  return list;
}

function toInput(form: AliasForm, allowPrivate: boolean) {
  if (form.description.length > MAX_DESCRIPTION) {
    throw new ValidationError(`The description is over ${MAX_DESCRIPTION} characters.`);
  }
  return {
    recipients: recipientList(form.recipients, allowPrivate),
    hasImap: form.hasImap,
    isEnabled: form.isEnabled,
    description: form.description,
    labels: form.labels.split(/[\s,]+/).filter(Boolean),
    errorCodeIfDisabled: disabledAnswer(form.errorCodeIfDisabled),
    hasRecipientVerification: form.hasRecipientVerification,
  };
}

function labelFilter(ctx: WebContext): string {
  return typeof ctx.query.label === 'string' ? ctx.query.label.trim().slice(0, 50) : '';
}

function searchTerm(ctx: WebContext): string {
  return typeof ctx.query.q === 'string' ? ctx.query.q.trim().slice(0, 64) : '';
}

export function registerAliasRoutes(router: WebRouter, deps: WebRouteDeps): void {
  const listPage = (ctx: WebContext, domain: Domain) => {
    const search = searchTerm(ctx);
    const label = labelFilter(ctx);
    const query = {
      page: pageNumber(ctx),
      limit: PAGE_SIZE,
      sort: 'name' as const,
      name: search || undefined,
      label: label || undefined,
    };
    return deps.control.listAliases(domain.id, query);
  };
  const title = (domain: Domain) => `Aliases of ${domainToDisplay(domain.name)}`;
  const aliasTitle = (domain: Domain, alias: Alias) => address(alias, domain);

  router.get('/domains/:domain/aliases', async (ctx: WebContext) => {
    const domain = await ownDomain(ctx, deps);
    const view = aliasesView({
      domain,
      page: await listPage(ctx, domain),
      search: searchTerm(ctx),
      label: labelFilter(ctx),
      csrf: ctx.state.csrf,
    });
    render(ctx, title(domain), view);
  });

  router.post('/domains/:domain/aliases', async (ctx: WebContext) => {
    const domain = await ownDomain(ctx, deps);
    const form = aliasForm(ctx.state.form);
    const result = await attempt(async () => {
      if (!form.name) throw new ValidationError('Give the alias a name, such as info or jane.');
      const created = await deps.control.createAlias(domain.id, {
        ...toInput(form, deps.config.webhooks.allowPrivate),
        name: form.name,
      });
      await requestVerifications(deps, deps.sender, domain, created);
      return created;
    });
    if (!result.ok) {
      const page = await listPage(ctx, domain);
      const view = aliasesView({
        domain,
        page,
        search: '',
        label: '',
        csrf: ctx.state.csrf,
        form,
        error: result.error,
      });
      return render(ctx, title(domain), view, 400);
    }
    redirectTo(ctx, aliasPath(domain, result.value), ok(`Alias ${address(result.value, domain)} added.`));
  });

  router.get('/domains/:domain/aliases/:alias', async (ctx: WebContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const defaults = { junkScore: deps.config.spam.junkScore, rejectScore: deps.config.spam.rejectScore };
    const spam = spamSummary({ domain, alias, settings: await deps.control.getSpamSettings(domain.id), defaults });
    const verifications = await deps.control.listRecipientVerifications(alias.id);
    const storage = await aliasStorageSection(deps, domain, alias, await isDomainAdmin(ctx, deps, domain));
    const view = aliasView({ domain, alias, csrf: ctx.state.csrf, spam, verifications, storage });
    render(ctx, aliasTitle(domain, alias), view);
  });

  router.post('/domains/:domain/aliases/:alias', async (ctx: WebContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const form = { ...aliasForm(ctx.state.form), name: alias.name };
    const result = await attempt(async () => {
      const updated = await deps.control.updateAlias(
        domain.id,
        alias.id,
        toInput(form, deps.config.webhooks.allowPrivate),
      );
      if (!updated) throw new NotFoundError('alias not found');
      await requestVerifications(deps, deps.sender, domain, updated);
      return updated;
    });
    if (!result.ok) {
      const view = aliasView({ domain, alias, csrf: ctx.state.csrf, form, error: result.error });
      return render(ctx, aliasTitle(domain, alias), view, 400);
    }
    redirectTo(ctx, aliasPath(domain, alias), ok('Alias saved.'));
  });

  router.post('/domains/:domain/aliases/:alias/verifications/resend', async (ctx: WebContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const recipient = field(ctx.state.form, 'recipient');
    try {
      await resendVerification(deps, deps.sender, { domain, alias, recipient }, deps.verificationResendMs);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      if (err instanceof RateLimitError) ctx.set('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
      const verifications = await deps.control.listRecipientVerifications(alias.id);
      const view = aliasView({ domain, alias, csrf: ctx.state.csrf, verifications, error: err.message });
      return render(ctx, aliasTitle(domain, alias), view, err instanceof RateLimitError ? 429 : 409);
    }
    redirectTo(ctx, aliasPath(domain, alias), ok(`A new confirmation link was emailed to ${recipient}.`));
  });

  router.post('/domains/:domain/aliases/:alias/password', async (ctx: WebContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const result = await attempt(async () => {
      if (alias.name === '*') throw new ValidationError('The catch-all cannot have a mailbox.');
      if (alias.patternKind !== 'exact') throw new ValidationError('A pattern alias cannot have a mailbox.');
      return issueMailboxPassword(deps.control, deps.mailstore, alias, {
        password: field(ctx.state.form, 'password') || undefined,
        recoveryKey: field(ctx.state.form, 'recovery_key') || undefined,
      });
    });
    if (!result.ok) {
      return render(
        ctx,
        aliasTitle(domain, alias),
        aliasView({ domain, alias, csrf: ctx.state.csrf, error: result.error }),
        400,
      );
    }
    const view = passwordIssuedView({
      domain,
      alias,
      username: `${alias.name}@${domain.name}`,
      password: result.value.password,
      recoveryKey: result.value.recoveryKey,
      settings: clientSettings(deps.config),
    });
    render(ctx, `Mailbox password for ${address(alias, domain)}`, view, result.value.created ? 201 : 200);
  });

  router.get('/domains/:domain/aliases/:alias/delete', async (ctx: WebContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    render(ctx, `Delete ${address(alias, domain)}?`, deleteAliasView({ domain, alias, csrf: ctx.state.csrf }));
  });

  router.post('/domains/:domain/aliases/:alias/delete', async (ctx: WebContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const removed = await deps.control.deleteAlias(domain.id, alias.id);
    if (!removed) throw new NotFoundError('alias not found');
    if (removed.mailboxId) await deps.mailstore.deleteMailbox(removed.mailboxId);
    redirectTo(
      ctx,
      `/domains/${encodeURIComponent(domain.name)}/aliases`,
      ok(`Alias ${address(alias, domain)} deleted.`),
    );
  });
}
