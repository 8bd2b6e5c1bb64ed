import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium; `.ci/run` installs it. Playwright's own browser download is not used. */
export const CHROMIUM = process.env.SSEHUB_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether browser tests run. Where Chromium is missing they skip, so `npm test` passes on a bare
 * machine; CI sets SSEHUB_REQUIRE_BROWSER=1 so that there they can never skip silently.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.SSEHUB_REQUIRE_BROWSER === '1') {
    throw new Error(`SSEHUB_REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM}`);
  }
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
  });
}
