/**
 * The layer rules of ARCHITECTURE.md, checked in `npm test` (`npm run lint:layers`).
 *
 *   domain    imports nothing of ours
 *   store     imports domain (and schema types: the zod schemas are the single source of the records' types)
 *   adapters  import domain, schemas and other adapters
 *   queue     imports schemas and domain
 *   services  import domain, schemas, store, queue and adapters
 *   gateway, pages, workers, the CLI and the benches call services: no SQL of their own
 *   nothing imports gateway but the composition root (src/runtime.ts)
 *   nothing in src, workers or adapters imports test or bench
 */
const OURS = '^(src|workers|adapters|test|bench|scripts)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds the rules as pure functions: it imports nothing of ours outside itself.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: OURS, pathNot: '^src/domain/' },
    },
    {
      name: 'store-imports-domain-only',
      comment: 'src/store is SQL and rows: it imports domain, and schema types only.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: OURS, pathNot: ['^src/store/', '^src/domain/', '^src/schemas/'] },
    },
    {
      name: 'store-imports-schema-types-only',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/schemas/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'adapters-stay-at-the-edge',
      comment: 'Adapters translate formats and talk to the outside; they know nothing of store, services, queues or HTTP routes.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: OURS, pathNot: ['^adapters/', '^src/domain/', '^src/schemas/'] },
    },
    {
      name: 'queue-is-names-and-payloads',
      severity: 'error',
      from: { path: '^src/queue/' },
      to: { path: OURS, pathNot: ['^src/queue/', '^src/schemas/', '^src/domain/', '^src/config\\.ts$', '^src/log\\.ts$'] },
    },
    {
      name: 'services-below-their-callers',
      comment: 'Operations never reach up into the gateway, pages, workers, the CLI or the runtime.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: ['^src/gateway/', '^src/pages/', '^workers/', '^src/cli\\.ts$', '^src/runtime\\.ts$', '^src/main\\.ts$'] },
    },
    {
      name: 'callers-use-services-not-store',
      comment: 'Handlers, pages, workers and the CLI call services; only types come from the store (and the CLI opens and migrates the database). Benches and tests may seed the store directly.',
      severity: 'error',
      from: { path: ['^src/gateway/', '^src/pages/', '^workers/', '^src/cli\\.ts$'] },
      to: { path: '^src/store/', pathNot: ['^src/store/db\\.ts$', '^src/store/migrate\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workers-take-jobs-and-call-services',
      comment: 'A worker takes jobs from its queue and calls a service; adapters are reached through services.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^adapters/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-gateway',
      comment: 'Only the composition root mounts the gateway; tests and benches go through src/runtime.ts or HTTP.',
      severity: 'error',
      from: { path: OURS, pathNot: ['^src/gateway/', '^src/runtime\\.ts$'] },
      to: { path: '^src/gateway/' },
    },
    {
      name: 'nothing-imports-workers',
      comment: 'Workers are entry points: the runtime starts them; their logic lives in services.',
      severity: 'error',
      from: { path: OURS, pathNot: ['^workers/', '^src/runtime\\.ts$', '^test/'] },
      to: { path: '^workers/' },
    },
    {
      name: 'product-never-imports-tests-or-benches',
      severity: 'error',
      from: { path: '^(src|workers|adapters)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(src|workers|adapters)/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
    exclude: { path: ['node_modules', '^test/fixtures/'] },
  },
};
