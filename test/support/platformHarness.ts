import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/server/logger';
import { startPlatform, type RunningPlatform } from '../../src/server/platform';
import { createEmptyDatabase, dropDatabase } from './testDatabase';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

export interface TestPlatform {
  platform: RunningPlatform;
  url: string;
  adminKey: string;
  /** POSTs an operation over real HTTP with `Authorization: Bearer <key>` (the admin's by default). */
  request<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GraphQLResponse<T>>;
  /** GETs a path of the server (e.g. an image URL from the API) with the admin's key by default; `key: null` sends none. */
  get(path: string, options?: { key?: string | null; headers?: Record<string, string> }): Promise<Response>;
  /** A graphql-ws client over a real WebSocket. */
  wsClient(key?: string): Client;
  stop(): Promise<void>;
}

/**
 * A whole server (HTTP + WebSocket + workers) on a fresh database and a free port. The demo
 * content of a first start (bundled models, "Shapes demo" project) is left out unless asked for,
 * so that tests see only what they create.
 */
export async function startTestPlatform(options: { workers?: number; demoContent?: boolean; modelsDir?: string } = {}): Promise<TestPlatform> {
  const { url: databaseUrl, name } = await createEmptyDatabase();
  const config = {
    ...loadConfig({}),
    databaseUrl,
    port: 0,
    host: '127.0.0.1',
    workerPoolSize: options.workers ?? 1,
    demoContent: options.demoContent ?? false,
    ...(options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir }),
  };
  const platform = await startPlatform(config, createLogger(process.env.QDGS_TEST_LOG_LEVEL ?? 'silent'));
  if (!platform.adminKey) throw new Error('a fresh database must yield an admin key');
  const adminKey = platform.adminKey;
  const clients: Client[] = [];
  return {
    platform,
    url: platform.url,
    adminKey,
    async request(query, variables, key = adminKey) {
      const response = await fetch(platform.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResponse;
      return { status: response.status, data: body.data, errors: body.errors } as never;
    },
    get(path, { key = adminKey, headers = {} } = {}) {
      return fetch(new URL(path, platform.url), { headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) } });
    },
    wsClient(key = adminKey) {
      const client = createClient({ url: platform.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: true });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.dispose()));
      await platform.stop();
      await dropDatabase(name);
    },
  };
}
