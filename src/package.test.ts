import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
};

describe('package shape', () => {
  it('maps every export and the bin to a source file that the build compiles', () => {
    const targets = [
      ...Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [] : [t.default])),
      ...Object.values(pkg.bin),
    ];
    for (const target of targets) {
      const source = target.replace(/^\.?\/?dist\//, 'src/').replace(/\.js$/, '.ts');
      expect(existsSync(new URL(source, root)), source).toBe(true);
    }
  });

  it('keeps src/protocol and src/client free of Node APIs, so browsers can import them', () => {
    for (const [folder, allowed] of [
      ['protocol/', /^\.\//],
      ['client/', /^\.\/|^\.\.\/protocol\//],
    ] as const) {
      const dir = new URL(folder, import.meta.url);
      for (const file of readdirSync(dir).filter(
        (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
      )) {
        const text = readFileSync(new URL(file, dir), 'utf8');
        expect(text, file).not.toMatch(/\bBuffer\b|\bprocess\.|require\(/);
        for (const [, from] of text.matchAll(/from ['"]([^'"]+)['"]/g)) {
          expect(from, `${folder}${file}`).toMatch(allowed);
        }
      }
    }
  });
});
