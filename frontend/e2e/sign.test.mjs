// Signing from the window: generate a key pair (passphrase into the real
// keyring), sign a version from the tree and watch its badge turn verified; the
// sandbox's own demo signature verifies through the profile's trusted key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, shot } from './browser.mjs';

test('sign a version from the tree and see it verified', async () => {
  const { page, close } = await openApp();
  try {
    await page.locator('[data-nav="settings"]').click();
    await page.locator('#language').selectOption('en');
    await page.locator('[data-action="generate-key"]').click();
    const d = page.locator('dialog[open]');
    await d.locator('#kp1').fill('e2e pass{]');
    await d.locator('#kp2').fill('e2e pass{] typo');
    await d.locator('button[type="submit"]').click();
    await d.getByText('The two passphrases differ.').waitFor();
    await d.locator('#kp2').fill('e2e pass{]');
    await d.locator('button[type="submit"]').click();
    await d.waitFor({ state: 'detached' });
    const key = page.locator('[data-key]');
    await key.waitFor();
    assert.match(await key.innerText(), /SHA256:[0-9a-f]{64}/);
    assert.match(await key.innerText(), /passphrase in the keyring/);
    const fp = (await key.innerText()).match(/SHA256:[0-9a-f]{19}/)?.[0] ?? '';

    await page.locator('[data-nav="browse"]').click();
    await page.locator('select[aria-label="Server"]').selectOption('Sandbox');
    await page.locator('[data-repo="base-images"]').click();
    await page.locator('[data-image="basic/alpine"]').click();
    await page.locator('[data-version="v1.2"]').click();
    await page.locator('[data-badge="unsigned"]').waitFor({ timeout: 20000 });
    await page.locator('[data-action="sign"]').click();
    await page.locator('[data-badge="verified"]').waitFor({ timeout: 30000 });
    const badge = await page.locator('[data-badge]').innerText();
    assert.ok(badge.includes('Verified'), badge);
    assert.ok(fp && (await page.locator('[data-badge] code').getAttribute('title')).startsWith(fp),
      'the badge names the signing key');
    await shot(page, 'browse-verified-en');

    await page.locator('[data-image="basic/ubuntu"]').click();
    await page.locator('[data-version="v1.10"]').click();
    await page.locator('[data-badge="verified"]').waitFor({ timeout: 20000 });
    await page.locator('[data-version="v1.2"]').click();
    await page.locator('[data-badge="unsigned"]').waitFor({ timeout: 20000 });
  } finally {
    await close();
  }
});
