/**
 * Sieve on the dashboard, per alias: the script list (activate, deactivate, delete), the vacation form and the
 * simple rules (saved together as the active `dashboard` script, sieve-rules.ts), and the raw script editor. The
 * control store checks every script before storing it; a script that does not compile is shown again with the
 * error's line and column (400), and nothing is stored.
 */
import type { Alias, Domain } from '@mailyard/control';
import { NotFoundError, UserError } from '@mailyard/errors';
import { SieveSyntaxError } from '@mailyard/sieve';
import { checkbox, type FormFields, field } from '../form-body.js';
import { ok, redirectTo, render } from '../page.js';
import {
  checkedRules,
  DASHBOARD_SCRIPT,
  type DashboardRules,
  generateScript,
  RULE_LIMITS,
  type Rule,
  type RuleAction,
  type RuleField,
  readRules,
} from '../sieve-rules.js';
import { address } from '../views/aliases.js';
import { type EditorForm, type ScriptError, type SievePageOptions, sievePath, sieveView } from '../views/sieve.js';
import { ownAlias, type WebContext, type WebRouteDeps, type WebRouter } from '../web-context.js';

type FormName = 'vacation' | 'rules' | 'editor';

const EMPTY_EDITOR: EditorForm = { name: '', content: '', activate: true };

/** What the user can act on: a syntax error with its position, or a user error's message. Others are rethrown. */
function scriptError(err: unknown): ScriptError {
  if (err instanceof SieveSyntaxError) {
    return { message: `Line ${err.line}, column ${err.column}: ${err.reason}`, line: err.line, column: err.column };
  }
  if (err instanceof UserError) return { message: err.message };
  throw err;
}

function vacationInput(form: FormFields): DashboardRules['vacation'] {
  return {
    enabled: checkbox(form, 'vacation_enabled'),
    subject: field(form, 'vacation_subject'),
    message: form.get('vacation_message') ?? '',
    start: field(form, 'vacation_start'),
    end: field(form, 'vacation_end'),
    days: Number(field(form, 'vacation_days') || '7'),
  };
}

/** The rule rows of the form; rows whose "contains" is empty are dropped. */
function rulesInput(form: FormFields): Rule[] {
  const rows = Math.min(Number(field(form, 'rule_rows')) || 0, RULE_LIMITS.maxRules + 10);
  const rules: Rule[] = [];
  for (let i = 0; i < rows; i++) {
    const contains = field(form, `rule_contains_${i}`);
    if (!contains) continue;
    rules.push({
      field: field(form, `rule_field_${i}`) as RuleField,
      contains,
      action: field(form, `rule_action_${i}`) as RuleAction,
      argument: field(form, `rule_argument_${i}`),
    });
  }
  return rules;
}

export function registerSieveRoutes(router: WebRouter, deps: WebRouteDeps): void {
  const base = '/domains/:domain/aliases/:alias/sieve';

  const page = async (
    ctx: WebContext,
    target: { domain: Domain; alias: Alias },
    extra: Partial<SievePageOptions> = {},
    status = 200,
  ) => {
    const scripts = await deps.control.listSieveScripts(target.alias.id);
    const dashboard = scripts.find((script) => script.name === DASHBOARD_SCRIPT);
    const options: SievePageOptions = {
      ...target,
      csrf: ctx.state.csrf,
      scripts,
      rules: readRules(dashboard?.content),
      editor: EMPTY_EDITOR,
      ...extra,
    };
    render(ctx, `Sieve filters of ${address(target.alias, target.domain)}`, sieveView(options), status);
  };

  /** Stores the dashboard script for `state` and makes it active; a failure re-renders the page with it. */
  const saveDashboard = async (ctx: WebContext, form: FormName, state: () => DashboardRules) => {
    const target = await ownAlias(ctx, deps);
    let rules: DashboardRules | undefined;
    try {
      rules = checkedRules(state());
      await deps.control.putSieveScript(target.alias.id, DASHBOARD_SCRIPT, generateScript(rules));
      await deps.control.setActiveSieveScript(target.alias.id, DASHBOARD_SCRIPT);
    } catch (err) {
      return page(ctx, target, { error: { form, script: scriptError(err) } }, 400);
    }
    redirectTo(ctx, `${sievePath(target.domain, target.alias)}#${form}`, ok(`Saved; “${DASHBOARD_SCRIPT}” is active.`));
  };

  const stored = async (ctx: WebContext) => {
    const target = await ownAlias(ctx, deps);
    const current = await deps.control.listSieveScripts(target.alias.id);
    return { target, rules: readRules(current.find((s) => s.name === DASHBOARD_SCRIPT)?.content) };
  };

  router.get(base, async (ctx: WebContext) => {
    const target = await ownAlias(ctx, deps);
    const edit = typeof ctx.query.edit === 'string' ? ctx.query.edit : '';
    const script = edit ? await deps.control.getSieveScript(target.alias.id, edit) : null;
    const editor = script ? { name: script.name, content: script.content, activate: script.isActive } : EMPTY_EDITOR;
    await page(ctx, target, { editor });
  });

  router.post(`${base}/vacation`, async (ctx: WebContext) => {
    const { rules } = await stored(ctx);
    await saveDashboard(ctx, 'vacation', () => ({ ...rules, vacation: vacationInput(ctx.state.form) }));
  });

  router.post(`${base}/rules`, async (ctx: WebContext) => {
    const { rules } = await stored(ctx);
    await saveDashboard(ctx, 'rules', () => ({ ...rules, rules: rulesInput(ctx.state.form) }));
  });

  router.post(`${base}/editor`, async (ctx: WebContext) => {
    const target = await ownAlias(ctx, deps);
    const form = ctx.state.form;
    // The script exactly as typed: trimming would move the line numbers of its errors.
    const editor = {
      name: field(form, 'name'),
      content: form.get('content') ?? '',
      activate: checkbox(form, 'activate'),
    };
    try {
      await deps.control.putSieveScript(target.alias.id, editor.name, editor.content);
      if (editor.activate) await deps.control.setActiveSieveScript(target.alias.id, editor.name);
    } catch (err) {
      return page(ctx, target, { editor, error: { form: 'editor', script: scriptError(err) } }, 400);
    }
    redirectTo(ctx, sievePath(target.domain, target.alias), ok(`Script “${editor.name}” saved.`));
  });

  const scriptAction = (verb: string, run: (aliasId: string, name: string) => Promise<boolean>, done: string) =>
    router.post(`${base}/scripts/:script/${verb}`, async (ctx: WebContext) => {
      const target = await ownAlias(ctx, deps);
      const name = ctx.params.script ?? '';
      if (!(await run(target.alias.id, name))) throw new NotFoundError('script not found');
      redirectTo(ctx, sievePath(target.domain, target.alias), ok(`Script “${name}” ${done}.`));
    });
  scriptAction('activate', (aliasId, name) => deps.control.setActiveSieveScript(aliasId, name), 'activated');
  scriptAction(
    'deactivate',
    async (aliasId, name) => {
      const script = await deps.control.getSieveScript(aliasId, name);
      return script ? deps.control.setActiveSieveScript(aliasId, null) : false;
    },
    'deactivated: no script is active',
  );
  scriptAction(
    'delete',
    (aliasId, name) => deps.control.deleteSieveScript(aliasId, name, { allowActive: true }),
    'deleted',
  );
}
