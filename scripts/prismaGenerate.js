// Generates the Prisma client (src/db/generated) without network access: the Prisma CLI
// downloads its native schema engine before generating unless PRISMA_SCHEMA_ENGINE_BINARY
// names an existing file, and generation itself never runs that engine (see README).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate', '--schema', path.join(root, 'prisma', 'schema.prisma')], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
