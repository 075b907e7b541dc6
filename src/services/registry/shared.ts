/** @module What the registry operations share: refusals of a codice fiscale or province, and asking for a derivation after COMMIT. */
import { validateCodiceFiscale } from '../../domain/codice-fiscale.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

/** The normalised codice fiscale, or `invalid-codice-fiscale` with the reason. */
export function checkCodiceFiscale(input: string): string {
  const v = validateCodiceFiscale(input.trim());
  if (!v.ok) throw new ServiceError('invalid-codice-fiscale', `The codice fiscale is not valid (${v.code})`, { reason: v.code });
  return v.value;
}

export function unknownProvince(path: string): ServiceError {
  return new ServiceError('unknown-province', 'Not one of the 107 province codes', { errors: [{ path, message: 'unknown province code' }] });
}

/** Best effort: the registry change is committed either way; the sweep or the next change re-queues. */
export async function requestDerivation(ctx: Pick<ServiceContext, 'attendance' | 'redisReady' | 'log'>, eventId: string, reason: string): Promise<void> {
  if (!ctx.redisReady()) return;
  await ctx.attendance.requestDerivation(eventId, reason).catch((err) => ctx.log.warn({ err: String(err), eventId }, 'derivation request failed'));
}
