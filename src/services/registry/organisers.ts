/** @module Organisers (R-EVT-2) and their webinar platform connections: create, read, connect Zoom. */
import { isProvinceCode } from '../../domain/provinces.ts';
import type { Connection, ConnectionCreate, Organiser, OrganiserCreate } from '../../schemas/organisers.ts';
import {
  getOrganiser as getOrganiserRow,
  insertConnection,
  insertOrganiser,
  listConnections as listConnectionRows,
  listOrganisers as listOrganiserRows,
} from '../../store/organisers.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { unknownProvince } from './shared.ts';

/** Creates an organiser of any kind; a kind-a organiser (a CPO) names one of the 107 provinces. */
export async function createOrganiser(ctx: Pick<ServiceContext, 'db'>, _actor: Actor, input: OrganiserCreate): Promise<Organiser> {
  if (input.kind === 'a' && !isProvinceCode(input.province)) throw unknownProvince('province');
  return insertOrganiser(ctx.db, input);
}

/** An organiser; its own organiser and platform keys see only it (`organiser-not-found` otherwise). */
export async function getOrganiser(ctx: Pick<ServiceContext, 'db'>, actor: Actor, id: string): Promise<Organiser> {
  if ((actor.role === 'organiser' || actor.role === 'platform') && actor.subject !== id) throw new ServiceError('organiser-not-found');
  const org = await getOrganiserRow(ctx.db, id);
  if (!org) throw new ServiceError('organiser-not-found');
  return org;
}

/** Every organiser, by name, for the CN and admin (the console's choice of an account's organiser); others see their own. */
export async function listOrganisers(ctx: Pick<ServiceContext, 'db'>, actor: Actor): Promise<Organiser[]> {
  if (actor.role === 'cn' || actor.role === 'admin') return listOrganiserRows(ctx.db);
  if ((actor.role === 'organiser' || actor.role === 'platform') && actor.subject) return [await getOrganiser(ctx, actor, actor.subject)];
  return [];
}

/**
 * Connects a webinar platform for the actor's own organiser; the secret token is stored to
 * verify webhook signatures and never returned. The webhook URL is on `PUBLIC_URL`, else on
 * `origin` (where the request came in).
 */
export async function connectPlatform(
  ctx: Pick<ServiceContext, 'db' | 'config'>,
  actor: Actor,
  organiserId: string,
  input: ConnectionCreate & { origin: string },
): Promise<Connection> {
  if (actor.subject !== organiserId || !(await getOrganiserRow(ctx.db, organiserId))) throw new ServiceError('organiser-not-found');
  const conn = await insertConnection(ctx.db, { organiserId, platform: input.platform, secret: input.secretToken });
  const base = (ctx.config.PUBLIC_URL ?? input.origin).replace(/\/+$/, '');
  return { id: conn.id, platform: input.platform, webhookUrl: `${base}/v1/webhooks/${input.platform}/${conn.id}` };
}

/** The actor's own organiser's platform connections (id, platform, when): the secret and the webhook URL are shown once, at creation. */
export async function listConnections(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  organiserId: string,
): Promise<Array<{ id: string; platform: string; createdAt: string }>> {
  if (actor.subject !== organiserId || (actor.role !== 'organiser' && actor.role !== 'platform')) throw new ServiceError('organiser-not-found');
  return listConnectionRows(ctx.db, organiserId);
}
