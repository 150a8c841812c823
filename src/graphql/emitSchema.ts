/** npm run schema:emit — writes schema/schema.graphql from the code (test/graphql/schemaFile.test.ts checks it is current). */
import fs from 'node:fs';
import path from 'node:path';
import { printSchemaFile } from './printSchemaFile';
import { SCHEMA_FILE } from './schema';

printSchemaFile()
  .then((text) => {
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, text);
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
  })
  .catch((error: Error) => {
    console.error(error);
    process.exit(1);
  });
