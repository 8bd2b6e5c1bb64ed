import { describe, expect, it } from 'vitest';
import { bundleClient } from '../test-support/client-bundle.js';

describe('the browser bundle', () => {
  it('holds only the client and the protocol parser, and stays small', async () => {
    const bundle = await bundleClient();
    expect(bundle.inputs.every((path) => /src\/(client|protocol)\//.test(path))).toBe(true);
    expect(bundle.code).not.toMatch(/from\s*["']node:/);
    // The README states the size; this budget keeps it honest.
    expect(bundle.gzipBytes).toBeLessThan(5 * 1024);
    console.log(`ssehub/client: ${bundle.bytes} B minified, ${bundle.gzipBytes} B gzip`);
  });
});
