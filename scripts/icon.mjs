#!/usr/bin/env node
// Renders media/icon.svg into media/icon.png (128x128, transparent corners), the Marketplace
// and Extensions view icon, with Debian's headless Chromium. Run after editing the SVG:
//   node scripts/icon.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 128;
const svg = fs.readFileSync(path.join(root, 'media', 'icon.svg'), 'utf8');
const out = path.join(root, 'media', 'icon.png');

const browser = await chromium.launch({
  executablePath: process.env.SHM_INSPECTOR_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: out, omitBackground: true });
} finally {
  await browser.close();
}
console.log(`wrote ${path.relative(root, out)} (${SIZE}x${SIZE})`);
