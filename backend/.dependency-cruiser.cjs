/**
 * The layers of backend/src (docs/architecture.md "Folders as layers"), checked by `npm run
 * depcruise` in `make lint`: a folder imports its own layer and the layers below, and no folder
 * imports a folder that imports it back.
 */
const FOUNDATIONS = 'common|config';
const ENGINE = 'engine|connectors';
const LOW = 'access|live|kong|database';
const below = (...layers) => `^src/(?!(?:${layers.join('|')})/)[^/]+/`;

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Two folders import each other (directly or around a loop): move the shared part to a lower folder.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'foundations-import-foundations',
      comment: 'config/ and common/ are the bottom layer: they import nothing else of src/.',
      severity: 'error',
      from: { path: `^src/(${FOUNDATIONS})/` },
      to: { path: below(FOUNDATIONS) },
    },
    {
      name: 'connectors-import-the-sdk-only',
      comment: 'A connector imports connectors/sdk.ts, its own folder and common/; not the engine, the database or a feature.',
      severity: 'error',
      from: { path: '^src/connectors/' },
      to: { path: below(FOUNDATIONS, 'connectors') },
    },
    {
      name: 'engine-is-below-the-features',
      comment: 'The engine runs one execution with what it is given: no database, queue, Nest module or feature.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: below(FOUNDATIONS, ENGINE) },
    },
    {
      name: 'low-folders-import-foundations',
      comment: 'access/, live/, kong/ and database/ sit under every feature.',
      severity: 'error',
      from: { path: `^src/(${LOW})/` },
      to: { path: below(FOUNDATIONS, LOW) },
    },
    {
      name: 'nothing-imports-composition',
      comment: 'app.module.ts, app.ts and the entry points (main, worker, migrate, rotate-key) and openapi/ wire the rest; nothing imports them back.',
      severity: 'error',
      from: { path: '^src/(?!openapi/)[^/]+/' },
      to: { path: '^src/([^/]+\\.ts$|openapi/)' },
    },
    {
      name: 'engine-free-of-frameworks',
      comment: 'The engine imports no Nest, TypeORM, pg, BullMQ or ioredis.',
      severity: 'error',
      from: { path: '^src/(engine|connectors)/' },
      to: { path: 'node_modules/(@nestjs|typeorm|pg|bullmq|ioredis)/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['@tributary/source', 'import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
