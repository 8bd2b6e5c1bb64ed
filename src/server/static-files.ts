import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpResponse } from '../stream/index.js';

/** The package root: two levels up from src/server or dist/server. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

/** A folder whose files are served under a URL prefix. */
export interface StaticDir {
  readonly dir: string;
  /** URL path prefix, e.g. `client/`. */
  readonly prefix: string;
  /** File names served; default scripts and styles. */
  readonly pattern?: RegExp;
}

const SCRIPTS_AND_STYLES = /^[\w.-]+\.(js|css)$/;

/**
 * Every file a page may load, by URL path, listed once on first use: a request can only name
 * one of these, so no request path ever reaches the file system.
 */
export function createStaticFiles(dirs: () => readonly StaticDir[]) {
  let files: Map<string, string> | undefined;
  const list = () => {
    if (files !== undefined) return files;
    files = new Map();
    for (const { dir, prefix, pattern = SCRIPTS_AND_STYLES } of dirs()) {
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir)) {
        if (pattern.test(name) && !name.includes('.test.')) {
          files.set(`${prefix}${name}`, join(dir, name));
        }
      }
    }
    return files;
  };
  return {
    /** Serves the file for `path`; false when there is none. */
    serve(res: HttpResponse, path: string): boolean {
      const file = list().get(path);
      if (file === undefined) return false;
      serveFile(res, file);
      return true;
    },
  };
}

/** The folder of a dependency's package.json, for serving its built files. */
export function packageDir(name: string): string {
  return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
}

export function serveFile(res: HttpResponse, path: string): void {
  const body = readFileSync(path);
  const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(body.length),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}
