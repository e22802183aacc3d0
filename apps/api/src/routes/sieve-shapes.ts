/**
 * Sieve script shapes of the REST API, in Forward Email's form: requests `{ name, content, is_active }` (create)
 * and any of those (update); responses with snake_case fields. One set of handlers (sieveHandlers) serves both
 * route groups: /domains/:domain/aliases/:alias/sieve (account tokens) and /sieve-scripts (a mailbox's own
 * credentials); they differ only in how they find the alias. The control store checks every script (name, size,
 * count, syntax), so a script that does not compile is a 400 whose message starts "line L, column C:".
 */
import type { ControlStore, SieveScript } from '@mailyard/control';
import { NotFoundError } from '@mailyard/errors';
import { z } from 'zod';
import { type ApiContext, body, param, type RouteDeps } from '../context.js';
import { parseInput } from '../validation.js';

export const sieveScriptCreate = z.strictObject({
  name: z.string().min(1).max(128),
  content: z.string(),
  is_active: z.boolean().optional(),
});

export const sieveScriptUpdate = sieveScriptCreate.partial();

export const sieveScriptOut = z.strictObject({
  id: z.string(),
  name: z.string(),
  content: z.string(),
  is_active: z.boolean(),
  size: z.number().int(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

export function presentSieveScript(script: SieveScript) {
  return {
    id: script.id,
    name: script.name,
    content: script.content,
    is_active: script.isActive,
    size: script.size,
    created_at: script.createdAt.toISOString(),
    updated_at: script.updatedAt.toISOString(),
  };
}

/** The alias whose scripts a request manages, found by the route group's own rule (token scope or login). */
export type AliasOf = (ctx: ApiContext) => Promise<string>;

type Sieve = Pick<
  ControlStore,
  | 'listSieveScripts'
  | 'getSieveScript'
  | 'createSieveScript'
  | 'updateSieveScript'
  | 'deleteSieveScript'
  | 'setActiveSieveScript'
>;

async function found(control: Sieve, aliasId: string, id: string): Promise<SieveScript> {
  const script = await control.getSieveScript(aliasId, id);
  if (!script) throw new NotFoundError('sieve script not found');
  return script;
}

/** list, create, get, update, delete, activate: the same for both route groups. */
export function sieveHandlers(deps: RouteDeps, aliasOf: AliasOf) {
  const control: Sieve = deps.control;
  return {
    list: async (ctx: ApiContext) => {
      const scripts = await control.listSieveScripts(await aliasOf(ctx));
      ctx.body = scripts.map(presentSieveScript);
    },
    create: async (ctx: ApiContext) => {
      const aliasId = await aliasOf(ctx);
      const input = parseInput(sieveScriptCreate, await body(ctx, deps));
      const script = await control.createSieveScript(aliasId, {
        name: input.name,
        content: input.content,
        isActive: input.is_active,
      });
      ctx.status = 201;
      ctx.body = presentSieveScript(script);
    },
    get: async (ctx: ApiContext) => {
      ctx.body = presentSieveScript(await found(control, await aliasOf(ctx), param(ctx, 'script')));
    },
    update: async (ctx: ApiContext) => {
      const aliasId = await aliasOf(ctx);
      const input = parseInput(sieveScriptUpdate, await body(ctx, deps));
      const current = await found(control, aliasId, param(ctx, 'script'));
      const patch = { name: input.name, content: input.content, isActive: input.is_active };
      const updated = await control.updateSieveScript(aliasId, current.id, patch);
      if (!updated) throw new NotFoundError('sieve script not found');
      ctx.body = presentSieveScript(updated);
    },
    remove: async (ctx: ApiContext) => {
      const aliasId = await aliasOf(ctx);
      const current = await found(control, aliasId, param(ctx, 'script'));
      await control.deleteSieveScript(aliasId, current.id, { allowActive: true });
      ctx.status = 204;
    },
    activate: async (ctx: ApiContext) => {
      const aliasId = await aliasOf(ctx);
      const current = await found(control, aliasId, param(ctx, 'script'));
      await control.setActiveSieveScript(aliasId, current.id);
      ctx.body = presentSieveScript(await found(control, aliasId, current.id));
    },
  };
}
