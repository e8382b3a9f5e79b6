// Opens Debian's Chromium (never a downloaded browser) on the app's dev server,
// where the page talks to the real Go backend through Wails' bridge.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const appURL = process.env.IMAGEDESK_E2E_URL ?? 'http://127.0.0.1:34115';
export const shotDir = process.env.IMAGEDESK_E2E_SHOTS ?? '';

export async function openApp() {
  const profile = await mkdtemp(join(tmpdir(), 'imagedesk-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 820 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(appURL);
  await page.locator('.shell.ready').waitFor({ timeout: 20000 });
  const close = async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  };
  return { page, close };
}

export async function shot(page, name) {
  if (shotDir) await page.screenshot({ path: join(shotDir, `${name}.png`) });
}
