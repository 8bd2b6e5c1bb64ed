import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('../client/index.ts', import.meta.url));

/**
 * `ssehub/client` bundled for browsers and minified, as an app's bundler would ship it.
 * `iife` exposes it as the global `ssehubClient` for pages without a module loader.
 */
export async function bundleClient(format: 'esm' | 'iife' = 'esm') {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format,
    globalName: 'ssehubClient',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
  });
  const code = result.outputFiles[0]?.text ?? '';
  return {
    code,
    bytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code).length,
    inputs: Object.keys(result.metafile.inputs),
  };
}
