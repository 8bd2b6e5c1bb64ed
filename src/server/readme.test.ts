import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envOf, flagOf, SETTINGS } from './config.js';

describe('README', () => {
  it('documents every setting with its flag and env name', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const key of Object.keys(SETTINGS)) {
      expect(readme).toContain(`| \`${flagOf(key)}\` | \`${envOf(key)}\``);
    }
  });
});
