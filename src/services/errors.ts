/**
 * @module The refusal an operation throws: a problem code from the table (`src/schemas/problems.ts`),
 * a detail for people and optional fields. The gateway renders it as problem+json, the consoles
 * and member pages as a message; the operation never knows which.
 */
import { problemEntry, type ProblemCode, type ProblemStatus } from '../schemas/problems.ts';

export class ServiceError extends Error {
  readonly status: ProblemStatus;

  /**
   * @param status only for a code whose table entry lists it in `also` (checked: a status the table
   *   does not give the code is a programming error).
   * @example
   * throw new ServiceError('event-closed', 'The course is closed: only the CPO may change attendance now (R-EVT-7)');
   */
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extra?: Record<string, unknown>,
    status?: ProblemStatus,
  ) {
    super(detail ?? code);
    const entry = problemEntry(code);
    if (status !== undefined && status !== entry.status && !entry.also?.includes(status)) {
      throw new TypeError(`problem ${code} has status ${entry.status}${entry.also ? ` or ${entry.also.join(', ')}` : ''}, not ${status}`);
    }
    this.status = status ?? entry.status;
  }
}
