/** @module Response building blocks shared by the routers: problem entries, JSON bodies. */
import type { z } from '@hono/zod-openapi';
import { Problem } from '../schemas/common.ts';

const problemBody = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });

/** The problem responses a council or organiser route may give. */
export const problems = {
  403: problemBody('Not allowed'),
  404: problemBody('Unknown, or not visible to this key'),
  409: problemBody('Not possible in the current state'),
  422: problemBody('Violates a rule'),
};

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
