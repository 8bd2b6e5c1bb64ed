import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const IMAGES = fileURLToPath(new URL('../../docs/images/demos/', import.meta.url));

/**
 * Takes a screenshot of the page and checks it shows something: a blank or half-rendered page
 * has only a handful of colours. With SSEHUB_SCREENSHOTS=1 (`npm run screenshots`) it is also
 * written to docs/images/demos/NAME.png, where the README shows it.
 */
export async function screenshot(page: Page, name: string): Promise<number> {
  const png = await page.screenshot();
  // The page's own canvas decodes the PNG, so no image library is needed here.
  const colours = await page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4 * 7) {
      seen.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
    }
    return seen.size;
  }, png.toString('base64'));
  if (process.env.SSEHUB_SCREENSHOTS === '1') {
    mkdirSync(IMAGES, { recursive: true });
    writeFileSync(`${IMAGES}${name}.png`, png);
  }
  return colours;
}
