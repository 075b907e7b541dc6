/** @module Recognises failures of the backing services (Postgres, Redis): the client should retry, nothing was lost. */

/** Connection-level failures of Postgres or Redis (driver error codes and messages). */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003', '53300'].includes(e.code)) return true;
  return /Connection terminated|Stream isn't writeable|enableOfflineQueue|Connection is closed|timeout exceeded when trying to connect|Client has encountered a connection error|MaxRetriesPerRequest/i.test(
    e?.message ?? '',
  );
}
