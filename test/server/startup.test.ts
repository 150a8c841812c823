import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLUSTER_LOCATION_FILE, ROOT_FALLBACK_DIR } from '../../src/db/clusterLocation';
import { projectRoot } from '../../src/projectRoot';

/**
 * `npm start` as a user runs it: the compiled server (built by `npm test`) on an embedded
 * PostgreSQL in a fresh data folder, over real HTTP.
 */
const SERVER = path.join(projectRoot(), 'dist', 'src', 'server', 'main.js');
const KEY_CLI = path.join(projectRoot(), 'dist', 'src', 'auth', 'createKeyCli.js');

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startServer(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, QDGS_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', QDGS_WORKERS: '1', DATABASE_URL: '', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready in 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /GraphQL API and IDE: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function stopServer(started: Started): Promise<number | null> {
  return new Promise((resolve) => {
    started.child.removeAllListeners('exit');
    started.child.on('exit', (code) => resolve(code));
    started.child.kill('SIGTERM');
  });
}

async function query(url: string, key: string, text: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: text }) });
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
}

const DEMO_QUERY = '{ models { nodes { name kind path } } projects { nodes { name promptSets { name } } } }';
const DEMO_CONTENT_SEEN = {
  models: {
    nodes: [
      { name: 'shapes-generator', kind: 'GENERATOR', path: 'shapes/generator' },
      { name: 'shapes-scorer', kind: 'SCORER', path: 'shapes/scorer' },
      { name: 'shapes-oracle', kind: 'CLASSIFIER', path: 'shapes/oracle' },
    ],
  },
  projects: { nodes: [{ name: 'Shapes demo', promptSets: [{ name: 'shapes' }] }] },
};

describe('npm start', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-start-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, '.qdgs');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('starts on an embedded PostgreSQL, prints the admin key once, serves the API, IDE and operations endpoints, and stops cleanly', async () => {
    const first = await startServer(dataDir);
    let adminKey: string;
    try {
      const keyLines = first.output().split('\n').filter((line) => line.startsWith('Admin API key: '));
      expect(keyLines).toHaveLength(1);
      adminKey = keyLines[0].slice('Admin API key: '.length).trim();
      expect(adminKey).toMatch(/^qdgs_[\w-]{32}$/);

      const base = first.url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/qdgs_runs\{status="QUEUED"\} 0/);
      expect(metrics).toContain('qdgs_flush_duration_seconds');

      const ide = await fetch(first.url, { headers: { accept: 'text/html' } });
      expect(ide.status).toBe(200);
      const html = await ide.text();
      expect(html).toContain('GraphiQL');
      expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);

      expect((await query(first.url, adminKey, '{ viewer { name isAdmin } }')).data).toEqual({ viewer: { name: 'admin', isAdmin: true } });
      // The first start gives the admin the bundled models and the demo project (src/server/demoContent.ts).
      expect((await query(first.url, adminKey, DEMO_QUERY)).data).toEqual(DEMO_CONTENT_SEEN);

      // key:create against the running installation (it shares the embedded server).
      const created = spawnSync(process.execPath, [KEY_CLI, '--name', 'alice'], { env: { ...process.env, QDGS_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
      expect(created.status).toBe(0);
      const aliceKey = created.stdout.trim().split('\n').pop()!;
      expect((await query(first.url, aliceKey, '{ viewer { name isAdmin } }')).data).toEqual({ viewer: { name: 'alice', isAdmin: false } });
    } finally {
      expect(await stopServer(first)).toBe(0);
    }

    const second = await startServer(dataDir);
    try {
      expect(second.output()).not.toContain('Admin API key');
      expect((await query(second.url, adminKey, '{ viewer { name } }')).data).toEqual({ viewer: { name: 'admin' } });
      expect((await query(second.url, adminKey, DEMO_QUERY)).data).toEqual(DEMO_CONTENT_SEEN);
    } finally {
      expect(await stopServer(second)).toBe(0);
    }
  }, 120_000);

  // As root, PostgreSQL runs as the postgres user: a data folder under a private directory (like
  // /root, mode 0700) is out of its reach, so the cluster lives in /var/lib/qdgs instead.
  (process.getuid?.() === 0 ? it : it.skip)('starts as root with its data folder under a private directory', async () => {
    const privateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-private-'));
    fs.chmodSync(privateRoot, 0o700);
    const privateData = path.join(privateRoot, '.qdgs');
    let clusterDir: string | undefined;
    try {
      const server = await startServer(privateData);
      try {
        clusterDir = fs.readFileSync(path.join(privateData, CLUSTER_LOCATION_FILE), 'utf8').trim();
        expect(clusterDir.startsWith(ROOT_FALLBACK_DIR)).toBe(true);
        expect(fs.existsSync(path.join(clusterDir, 'PG_VERSION'))).toBe(true);
        const key = /Admin API key: (\S+)/.exec(server.output())![1];
        expect((await query(server.url, key, '{ viewer { name } }')).data).toEqual({ viewer: { name: 'admin' } });
      } finally {
        expect(await stopServer(server)).toBe(0);
      }
    } finally {
      fs.rmSync(privateRoot, { recursive: true, force: true });
      if (clusterDir) fs.rmSync(path.dirname(clusterDir), { recursive: true, force: true });
    }
  }, 120_000);
});
