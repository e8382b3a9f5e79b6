// Browse against the embedded sandbox (reports appear 25 s after a push here):
// expand a repository, filter, natural version order with signature tags folded,
// details with the exact reference, and the report placeholder turning into the
// report summary by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, shot } from './browser.mjs';

const texts = (loc) => loc.evaluateAll((els) => els.map((e) => e.textContent.trim()));

test('browse: tree, filter, versions, details, report pending → ready', async () => {
  const { page, close } = await openApp();
  try {
    await page.locator('[data-nav="settings"]').click();
    await page.locator('#language').selectOption('en');
    await page.locator('[data-nav="browse"]').click();
    await page.locator('select[aria-label="Server"]').selectOption('Sandbox');

    await page.locator('[data-repo="base-images"]').click();
    await page.locator('[data-image="basic/aa"]').waitFor();
    assert.deepEqual(await texts(page.locator('[data-image]')),
      ['aa', 'alpine', 'ubuntu']);

    await page.locator('input[aria-label="Filter images and versions"]').fill('ubu');
    assert.deepEqual(await texts(page.locator('[data-image]')), ['ubuntu']);
    await page.locator('input[aria-label="Filter images and versions"]').fill('');

    await page.locator('[data-image="basic/aa"]').click();
    await page.locator('[data-version]').first().waitFor();
    assert.deepEqual(await page.locator('[data-version]').evaluateAll(
      (els) => els.map((e) => e.dataset.version)), ['06', '100', 'aa01', 'V5']);

    await page.locator('[data-image="basic/ubuntu"]').click();
    await page.locator('[data-version="v1.10"]').waitFor();
    const ubuntu = await page.locator('[data-version]').evaluateAll(
      (els) => els.map((e) => e.dataset.version));
    assert.deepEqual(ubuntu, ['v1.2', 'v1.10'], 'signature tags are not versions');
    assert.equal(await page.locator('[data-version="v1.10"] svg').count() >= 2, true,
      'the signed version carries the signature mark');

    // A version pushed at start-up: its report is still being generated.
    await page.locator('[data-image="basic/aa"]').click();
    await page.locator('[data-version="V5"]').click();
    const ref = await page.locator('[data-reference]').innerText();
    assert.match(ref, /^127\.0\.0\.1:\d+\/base-images\/basic\/aa:V5$/);
    const report = page.locator('[data-report-state]');
    await page.locator('[data-report-state="pending"]').waitFor({ timeout: 20000 });
    assert.match(await report.innerText(), /not generated yet/);
    await shot(page, 'browse-pending-en');

    await page.locator('[data-report-state="ready"]').waitFor({ timeout: 90000 });
    assert.match(await report.innerText(), /has arrived/);
    const findings = await page.locator('[data-severity]').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.dataset.severity, Number(e.querySelector('.n').textContent)])));
    assert.ok(findings.CRITICAL + findings.HIGH + findings.MEDIUM + findings.LOW > 0,
      JSON.stringify(findings));
    assert.match(await report.innerText(), /Findings/);
    await shot(page, 'browse-ready-en');

    // A version the server never makes a report for stays a placeholder.
    await page.locator('[data-repo="business-images"]').click();
    await page.locator('[data-image="payments/ledger"]').click();
    await page.locator('[data-version="2.1.0-noscan"]').click();
    await page.locator('[data-report-state="pending"]').waitFor({ timeout: 20000 });

    await page.locator('[data-nav="settings"]').click();
    await page.locator('#language').selectOption('zh-CN');
    await page.locator('[data-nav="browse"]').click();
    await page.locator('[data-image="basic/aa"]').click();
    await page.locator('[data-version="V5"]').click();
    await page.locator('[data-report-state="ready"]').waitFor({ timeout: 30000 });
    await shot(page, 'browse-ready-zh');
  } finally {
    await close();
  }
});
