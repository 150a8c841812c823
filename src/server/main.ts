/** npm start: the GraphQL server (and, with QDGS_WORKERS > 0, run workers) in one process. */
import './productionMode';
import { loadConfig } from '../config';
import { createLogger } from './logger';
import { startPlatform } from './platform';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const platform = await startPlatform(config, logger);
  if (platform.adminKey) {
    // Printed once, on a line of its own: it is stored only as a hash.
    process.stdout.write(`Admin API key: ${platform.adminKey}\n`);
  }
  process.stdout.write(`GraphQL API and IDE: ${platform.url}\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    platform.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: Error) => {
  console.error(`QDGS server failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
