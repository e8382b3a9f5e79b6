// Server profiles in the window against the embedded sandbox: the sandbox profile
// made on first start passes its connection test; a profile added by hand keeps
// its password in the real keyring, tells a wrong password from a good one, marks
// bad fields, and every step lands in History.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { openApp, shot } from './browser.mjs';

const dataDir = process.env.IMAGEDESK_DATA_DIR;
const secret = process.env.IMAGEDESK_E2E_SECRET;

async function toSettings(page) {
  await page.locator('[data-nav="settings"]').click();
  await page.locator('[data-section="servers"]').waitFor();
}

async function runTest(page, name) {
  const card = page.locator(`article[data-profile="${name}"]`);
  await card.locator('[data-action="test"]').click();
  await card.locator('[data-testresult]').waitFor({ timeout: 30000 });
  return {
    api: await card.locator('[data-check="api"]').getAttribute('class'),
    registry: await card.locator('[data-check="registry"]').getAttribute('class'),
    text: await card.locator('[data-testresult]').innerText(),
  };
}

async function addProfile(page, { name, api, registry, password, repo, fixed }) {
  await page.locator('[data-action="add-profile"]').click();
  const d = page.locator('dialog[open]');
  await d.locator('#pf-name').fill(name);
  await d.locator('#pf-api').fill(api);
  await d.locator('#pf-reg').fill(registry);
  await d.getByLabel(/Plain HTTP|HTTP/).check();
  await d.locator('#pf-user').fill('admin');
  await d.locator('#pf-pw').fill(password);
  await d.locator('.repo input').nth(0).fill(repo.name);
  await d.locator('.repo input').nth(1).fill(repo.id);
  if (fixed) await d.getByLabel(/same way every time/).check();
  await d.locator('button[type="submit"]').click();
  return d;
}

test('profiles: sandbox, add, test, bad input, history', async () => {
  assert.ok(dataDir && secret, 'run through build/scripts/e2e.sh');
  const sandboxPassword = readFileSync(join(dataDir, 'data', 'sandbox', 'sandbox-password'), 'utf8').trim();
  const { page, close } = await openApp();
  try {
    await page.locator('[data-nav="settings"]').click();
    await page.locator('#language').selectOption('en');
    await toSettings(page);

    const sandbox = page.locator('article[data-profile="Sandbox"]');
    await sandbox.waitFor();
    const res = await runTest(page, 'Sandbox');
    assert.match(res.api, /\bok\b/, res.text);
    assert.match(res.registry, /\bok\b/, res.text);
    const api = (await sandbox.locator('.mono.small').innerText()).trim();
    const registry = api.replace('http://', '');

    // A good profile typed by hand; its password goes to the real keyring.
    let d = await addProfile(page, {
      name: 'e2e-good', api, registry, password: sandboxPassword,
      repo: { name: 'base-images', id: '9007199254740993' }, fixed: true,
    });
    await d.waitFor({ state: 'detached' });
    const good = page.locator('article[data-profile="e2e-good"]');
    await good.waitFor();
    // The compression choice is kept with the server.
    await good.getByRole('button', { name: 'Edit server' }).click();
    const edit = page.locator('dialog[open]');
    assert.ok(await edit.getByLabel(/same way every time/).isChecked(), 'fixed compression kept');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await edit.waitFor({ state: 'detached' });
    assert.match(await good.innerText(), /In the system keyring/);
    const stored = execFileSync('secret-tool', ['lookup', 'service', 'imagedesk',
      'username', 'password/e2e-good']).toString();
    assert.equal(stored, sandboxPassword, 'the keyring holds the typed password');
    const ok = await runTest(page, 'e2e-good');
    assert.match(ok.api, /\bok\b/, ok.text);
    assert.match(ok.registry, /\bok\b/, ok.text);

    // A wrong password: both halves fail as "not accepted", not as "down".
    d = await addProfile(page, {
      name: 'e2e-wrong', api, registry, password: secret,
      repo: { name: 'base-images', id: '9007199254740993' },
    });
    await d.waitFor({ state: 'detached' });
    const bad = await runTest(page, 'e2e-wrong');
    assert.doesNotMatch(bad.api, /\bok\b/);
    assert.doesNotMatch(bad.registry, /\bok\b/);
    assert.match(bad.text, /password was not accepted/);
    await shot(page, 'profiles-en');

    // Bad fields are marked, with the rule in words, and nothing is saved.
    d = await addProfile(page, {
      name: 'e2e-broken', api: 'ftp://nowhere', registry: 'http://x/y', password: 'x',
      repo: { name: 'base-images', id: '12ab' },
    });
    await d.locator('.ferr').first().waitFor();
    const errors = await d.locator('.ferr').allInnerTexts();
    assert.ok(errors.some((e) => /http:\/\/ or https:\/\//.test(e)), errors.join(' | '));
    assert.ok(errors.some((e) => /host:port/.test(e)), errors.join(' | '));
    assert.ok(errors.some((e) => /whole number/.test(e)), errors.join(' | '));
    await shot(page, 'profile-errors-en');
    await d.locator('button[type="button"]', { hasText: 'Cancel' }).click();
    assert.equal(await page.locator('article[data-profile="e2e-broken"]').count(), 0);

    // History has the connection tests and the server changes, offline data.
    await page.locator('[data-nav="history"]').click();
    await page.locator('table tbody tr').first().waitFor();
    const rows = await page.locator('table tbody tr').allInnerTexts();
    assert.ok(rows.some((r) => /Connection test/.test(r) && /Succeeded/.test(r) && /e2e-good/.test(r)),
      rows.join('\n'));
    assert.ok(rows.some((r) => /Connection test/.test(r) && /Failed/.test(r) && /e2e-wrong/.test(r)),
      rows.join('\n'));
    assert.ok(rows.some((r) => /Server change/.test(r) && /e2e-good/.test(r)), rows.join('\n'));
    await page.locator('select[aria-label="Status"]').selectOption('failed');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('table tbody tr')].every((r) => r.dataset.status === 'failed'));
    await shot(page, 'history-en');

    await page.locator('[data-nav="settings"]').click();
    await page.locator('#language').selectOption('zh-CN');
  } finally {
    await close();
  }
});
