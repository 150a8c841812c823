import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildPlatformSchema } from './schema';

const HEADER = '# Generated from the type-graphql classes in src/graphql by `npm run schema:emit`. Do not edit.\n\n';

/** The SDL as checked in: sorted, so the file changes only when the API does. */
export async function printSchemaFile(): Promise<string> {
  return HEADER + printSchema(lexicographicSortSchema(await buildPlatformSchema())) + '\n';
}
