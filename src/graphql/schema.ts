import 'reflect-metadata';
import path from 'node:path';
import { createPubSub } from '@graphql-yoga/subscription';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { projectRoot } from '../projectRoot';
import { ArchiveCellResolver, ArchiveResolver } from './resolvers/archiveResolver';
import { BalanceResolver } from './resolvers/balanceResolver';
import { ModelResolver } from './resolvers/modelResolver';
import { ProjectResolver } from './resolvers/projectResolver';
import { PromptSetResolver } from './resolvers/promptSetResolver';
import { RunProgressResolver } from './resolvers/runProgressResolver';
import { RunResolver } from './resolvers/runResolver';
import { SampleResolver } from './resolvers/sampleResolver';

export const SCHEMA_FILE = path.join(projectRoot(), 'schema', 'schema.graphql');

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const RESOLVERS: NonEmptyArray<Function> = [ProjectResolver, PromptSetResolver, ModelResolver, RunResolver, ArchiveResolver, ArchiveCellResolver, BalanceResolver, RunProgressResolver, SampleResolver];

let built: Promise<GraphQLSchema> | undefined;

/**
 * The platform's schema, built once per process from the type-graphql classes. Subscriptions
 * use their own `subscribe` functions (LISTEN/NOTIFY), so the pub-sub type-graphql insists on
 * stays unused.
 */
export function buildPlatformSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers: RESOLVERS, pubSub: createPubSub(), validate: false });
  return built;
}
