import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, parse, specifiedRules, validate, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { authenticate, type AuthenticatedAccount } from '../auth/apiKeys';
import { UserError } from '../errors';
import type { GraphQLContext, PlatformServices } from '../graphql/context';
import { formatError } from '../graphql/errors';
import { createLoaders } from '../graphql/loaders';
import { checkQueryLimits } from '../graphql/queryLimits';
import { buildPlatformSchema } from '../graphql/schema';
import type { Logger } from './logger';
import type { PlatformMetrics } from './metrics';
import { graphiqlPage } from './graphiqlPage';
import { imageRoutes } from './imageRoutes';

export interface HttpServerOptions {
  services: PlatformServices;
  logger: Logger;
  metrics: PlatformMetrics;
  /** Answers /readyz: the database and the queue are usable. */
  isReady: () => Promise<boolean>;
}

export interface PlatformHttpServer {
  httpServer: http.Server;
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting requests, lets in-flight ones finish and closes subscriptions. */
  close(): Promise<void>;
}

function contextFor(services: PlatformServices, account: AuthenticatedAccount): GraphQLContext {
  return {
    account,
    database: services.database,
    projects: services.projects,
    models: services.models,
    runs: services.runs,
    progressFeed: services.progressFeed,
    loaders: createLoaders(services.database),
  };
}

async function authenticateOrThrow(services: PlatformServices, authorization: string | undefined): Promise<AuthenticatedAccount> {
  try {
    return await authenticate(services.database.prisma, authorization);
  } catch (error) {
    if (error instanceof UserError) {
      throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
    }
    throw error;
  }
}

/** Rejects too deep or costly operations before they execute (needs the variables, so it runs after validation). */
function complexityPlugin(schema: GraphQLSchema): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operationName }) {
          checkQueryLimits(schema, document, request.variables, operationName);
        },
      };
    },
  };
}

/** Express + Apollo (HTTP) and graphql-ws (WebSocket) on the same /graphql path. */
export async function createHttpServer(options: HttpServerOptions): Promise<PlatformHttpServer> {
  const { services, logger, metrics } = options;
  const schema = await buildPlatformSchema();
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const reportInternal = (error: unknown) => logger.error({ err: error }, 'internal error while resolving');

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>, { account?: AuthenticatedAccount }>(
    {
      schema,
      async onConnect(ctx) {
        try {
          ctx.extra.account = await authenticate(services.database.prisma, String(ctx.connectionParams?.authorization ?? ''));
          return true;
        } catch {
          return false; // closes with 4403 Forbidden
        }
      },
      async onSubscribe(ctx, _id, payload) {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(schema, document, specifiedRules);
        if (errors.length) return [...errors];
        try {
          checkQueryLimits(schema, document, payload.variables, payload.operationName);
        } catch (error) {
          return [error as GraphQLError];
        }
        metrics.requests.inc({ operation: 'subscription' });
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: contextFor(services, ctx.extra.account!),
        } satisfies ExecutionArgs;
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map((error) => {
          const formatted = formatError(error.toJSON(), error, reportInternal);
          return new GraphQLError(formatted.message, { extensions: formatted.extensions });
        });
      },
      onNext(_ctx, _id, _payload, _args, result) {
        if (!('errors' in result) || !result.errors?.length) return result;
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error, reportInternal)) } as never;
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: true,
    // Compact JSON (Apollo pretty-prints by default: a tenth of the time of a 1,000-cell page).
    stringifyResult: (result) => JSON.stringify(result),
    formatError: (formatted, error) => formatError(formatted, error, reportInternal),
    plugins: [
      // No HTTP cache hints are served; the plugin would otherwise wrap every field's resolver.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      complexityPlugin(schema),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ operation }) {
              metrics.requests.inc({ operation: operation?.operation ?? 'unknown' });
            },
          };
        },
      },
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await options.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  // PNGs of generative runs' samples and archive contact sheets, with the same API-key auth as /graphql.
  app.use(imageRoutes({ prisma: services.database.prisma, images: services.images, logger }));
  app.get('/graphql', (req, res, next) => {
    if (req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html') {
      res.type('html').send(graphiqlPage());
      return;
    }
    next();
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => contextFor(services, await authenticateOrThrow(services, req.headers.authorization)),
    }),
  );

  return {
    httpServer,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as { port: number }).port));
      });
    },
    async close() {
      await apollo.stop();
      wsServer.close();
    },
  };
}
