/**
 * @module Policy profiles (R-POL-1): the national, RC and BA profiles as data, and each CPO's
 * choice with its overrides, every change a new dated and attributed version. Balances, debt
 * maxima and reduction ceilings read the version in force, so a change applies at once (R-POL-2);
 * the history says who changed what and when, and the ledger which members' outcomes it changed.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { POLICY_PARAMETERS, PROFILES, type Policy } from '../domain/policy.ts';
import { PolicyPut } from '../schemas/balance.ts';
import { getPolicy, policyHistory, setPolicy, type PolicyVersion } from '../services/council/policy.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { json, problems } from './responses.ts';
import { router, SECURITY } from './router.ts';

const TAGS = ['policy'];
const PolicyOut = z.record(z.string(), z.unknown()).openapi('Policy');
const VersionOut = z
  .object({
    province: z.string(),
    version: z.number().int().nullable(),
    profile: z.string(),
    overrides: z.record(z.string(), z.unknown()),
    policy: PolicyOut,
    reason: z.string().nullable(),
    changedBy: z.string().nullable(),
    changedAt: z.string().nullable(),
  })
  .openapi('PolicyVersion');
const ProvinceParam = z.object({ province: z.string().length(2) });

export function policyRoutes(deps: Deps) {
  const app = router();
  const anyKey = requireRole(deps.resolveKey, 'organiser', 'platform', 'cpo', 'cn', 'admin');
  app.use('/v1/policy/profiles', anyKey);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/policy/profiles',
      summary: 'The policy profiles (national, RC, BA) and the parameters a CPO may override',
      tags: TAGS,
      security: SECURITY,
      responses: { 200: json(z.object({ profiles: z.record(z.string(), PolicyOut), overridable: z.array(z.string()) }), 'Profiles') },
    }),
    (c) => c.json({ profiles: PROFILES as Record<string, Policy>, overridable: [...POLICY_PARAMETERS] }, 200),
  );

  // A province's policy is the councils' (README's role table): the CPO its own, the CN any.
  const councils = requireRole(deps.resolveKey, 'cpo', 'cn');
  app.use('/v1/provinces/:province/policy', councils);
  app.use('/v1/provinces/:province/policy/*', councils);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/provinces/{province}/policy',
      summary: 'The policy in force for a CPO (the national profile until it picks one)',
      tags: TAGS,
      security: SECURITY,
      request: { params: ProvinceParam },
      responses: { 200: json(VersionOut, 'Policy in force'), ...problems },
    }),
    async (c) => c.json(out(await getPolicy(deps, c.get('principal'), c.req.valid('param'))), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/provinces/{province}/policy',
      summary: 'Pick a profile and override parameters (R-POL-1); recorded as a new dated, attributed version',
      description: `Keys: cpo (its own), cn. Overridable: ${POLICY_PARAMETERS.join(', ')}.`,
      tags: TAGS,
      security: SECURITY,
      request: { params: ProvinceParam, body: { content: { 'application/json': { schema: PolicyPut } }, required: true } },
      responses: { 200: json(VersionOut, 'New version in force'), ...problems },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const v = await setPolicy(deps, c.get('principal'), {
        province: c.req.valid('param').province,
        profile: body.profile,
        overrides: body.overrides as Partial<Policy>,
        reason: body.reason,
      });
      return c.json(out(v), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/provinces/{province}/policy/history',
      summary: "Every version of a CPO's policy, newest first (R-POL-1/2)",
      tags: TAGS,
      security: SECURITY,
      request: { params: ProvinceParam },
      responses: { 200: json(z.object({ versions: z.array(VersionOut) }), 'History'), ...problems },
    }),
    async (c) => c.json({ versions: (await policyHistory(deps, c.get('principal'), c.req.valid('param'))).map(out) }, 200),
  );
  return app;
}

function out(v: PolicyVersion) {
  return { ...v, overrides: v.overrides as Record<string, unknown>, policy: v.policy as unknown as Record<string, unknown> };
}
