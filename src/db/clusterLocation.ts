import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where the cluster lives when PostgreSQL's `postgres` user cannot reach the data folder (see clusterDirectory). */
export const ROOT_FALLBACK_DIR = '/var/lib/qdgs';
/** Written into the data folder when the cluster lives elsewhere, naming where. */
export const CLUSTER_LOCATION_FILE = 'postgres-location.txt';

/** Whether every folder from `/` down to `dir` lets other users through (the execute bit for "others"). */
function traversableByOthers(dir: string): boolean {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if ((fs.statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

/**
 * The cluster's folder: `<dataDir>/postgres`. Run as root, PostgreSQL runs as the `postgres` user,
 * which cannot reach a data folder under a private directory such as /root (mode 0700); the
 * cluster then lives in ROOT_FALLBACK_DIR under a name derived from the data folder, and
 * `<dataDir>/postgres-location.txt` says where, so the installation keeps finding it.
 */
export function clusterDirectory(dataDir: string): string {
  const local = path.join(dataDir, 'postgres');
  if (process.getuid?.() !== 0 || traversableByOthers(dataDir)) return local;
  const fallback = path.join(ROOT_FALLBACK_DIR, createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16), 'postgres');
  fs.mkdirSync(path.dirname(fallback), { recursive: true, mode: 0o755 });
  fs.chmodSync(ROOT_FALLBACK_DIR, 0o755);
  fs.writeFileSync(path.join(dataDir, CLUSTER_LOCATION_FILE), `${fallback}\n`);
  return fallback;
}
