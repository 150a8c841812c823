import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** The folder holding package.json, whether this code runs from src/ (tests) or dist/src/ (build). */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
