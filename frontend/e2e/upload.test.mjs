// Upload in the window against the embedded sandbox: an archive made by the
// project's generator is handed to the same Go entry point a native file drop
// uses; the form pre-fills from its tag, the exact reference shows, the push runs
// with progress in the form and in the task centre, an existing version asks
// before it is replaced, the upload lands in History, and a file that is not an
// archive is refused with a translated reason, in English and in Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, shot } from './browser.mjs';

const archive = process.env.IMAGEDESK_E2E_ARCHIVE;
const bad = process.env.IMAGEDESK_E2E_BAD;
const archive2 = process.env.IMAGEDESK_E2E_ARCHIVE2;

async function language(page, value) {
  await page.locator('[data-nav="settings"]').click();
  await page.locator('#language').selectOption(value);
  await page.locator('[data-nav="upload"]').click();
  await page.locator('[data-section="destination"]').waitFor();
}

/** Calls the bound Go method a native drop calls, with one path. */
async function drop(page, path) {
  await page.evaluate(async (p) => {
    try {
      await window.go.app.Upload.Dropped([p]);
    } catch {
      // A refusal also arrives as the upload:dropped event the page shows.
    }
  }, path);
}

test('upload: drop, pre-fill, reference, push with progress, history, refusal', async () => {
  assert.ok(archive && bad, 'run through build/scripts/e2e.sh');
  const { page, close } = await openApp();
  try {
    await language(page, 'en');
    assert.match(await page.locator('[data-section="destination"]').innerText(), /Sandbox/);

    // A file that is not an archive is refused with the reason in words.
    await drop(page, bad);
    const refused = page.locator('[data-refused]');
    await refused.waitFor();
    assert.equal(await refused.getAttribute('data-refused'), 'archive_not_archive');
    assert.match(await refused.innerText(), /not an image archive/);
    await shot(page, 'upload-refused-en');

    // The good archive: inspected by Go, the form takes its tag.
    await drop(page, archive);
    await page.locator('[data-archive]').waitFor();
    assert.match(await page.locator('[data-archive]').innerText(), /e2e-app:1\.0/);
    assert.equal(await page.locator('#up-name').inputValue(), 'e2e-app');
    assert.equal(await page.locator('#up-version').inputValue(), '1.0');
    const preview = page.locator('[data-ref-preview] code');
    await page.waitForFunction(() =>
      /\/basic\/e2e-app:1\.0$/.test(document.querySelector('[data-ref-preview] code')?.textContent ?? ''));
    const ref = (await preview.innerText()).trim();

    // Typing breaks the OCI grammar: the rule shows in words, no reference.
    await page.locator('#up-name').fill('E2E App');
    await page.locator('[data-rule="name"]').waitFor();
    assert.match(await page.locator('[data-rule="name"]').innerText(), /Lower-case letters/);
    assert.equal(await page.locator('[data-action="upload"]').isDisabled(), true);
    await shot(page, 'upload-rule-en');
    await page.locator('#up-name').fill('e2e-app');
    await page.locator('[data-ref-preview] code', { hasText: ref }).waitFor();
    await page.locator('#up-category').fill('e2e');
    await page.locator('#up-description').fill('pushed by the end-to-end test');
    await shot(page, 'upload-form-en');

    // Push: the progress panel and the task centre follow it to the end.
    await page.locator('[data-action="upload"]').click();
    await page.locator('[data-section="progress"]').waitFor({ timeout: 30000 });
    const seen = await page.locator('[data-upload]').getAttribute('data-upload');
    if (seen === 'running') await shot(page, 'upload-running-en');
    await page.locator('[data-upload="succeeded"]').waitFor({ timeout: 120000 });
    assert.equal((await page.locator('[data-upload] [data-ref]').innerText()).trim(), ref);
    assert.match(await page.locator('[data-upload] [data-digest]').innerText(), /^sha256:[0-9a-f]{64}$/);
    assert.match(await page.locator('[data-totals]').innerText(), /100%/);
    const layers = await page.locator('[data-upload] li[data-layer]').evaluateAll((els) =>
      els.map((e) => e.dataset.layer));
    assert.deepEqual(layers, ['done', 'done', 'done']);
    await shot(page, 'upload-done-en');
    await page.locator('[data-nav="tasks"]').click();
    const task = page.locator('aside .row[data-state="succeeded"]', { hasText: 'e2e-app:1.0' });
    await task.waitFor();
    await page.locator('[data-nav="tasks"]').click();

    // The same version again: the registry's digest is shown before replacing.
    await page.locator('[data-action="again"]').click();
    await drop(page, archive);
    await page.locator('[data-archive]').waitFor();
    await page.locator('[data-ref-preview] code', { hasText: ref }).waitFor();
    await page.locator('[data-action="upload"]').click();
    const confirm = page.locator('dialog[data-confirm="overwrite"]');
    await confirm.waitFor();
    assert.match(await confirm.locator('[data-existing]').innerText(), /^sha256:/);
    await shot(page, 'upload-exists-en');
    await confirm.locator('button', { hasText: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });

    // History has the upload with its reference.
    await page.locator('[data-nav="history"]').click();
    const row = page.locator('tr[data-kind="upload"][data-status="succeeded"]', { hasText: ref });
    await row.waitFor();

    // Version 2.0, a larger archive with new layers, is cancelled as soon as it
    // starts (through the task centre's bound Cancel, for timing), then resumed
    // from its History row.
    await page.locator('[data-nav="upload"]').click();
    await drop(page, archive2);
    await page.locator('[data-archive]', { hasText: 'e2e-app:2.0' }).waitFor();
    await page.locator('#up-version').fill('2.0');
    const ref2 = ref.replace(/:1\.0$/, ':2.0');
    await page.locator('[data-ref-preview] code', { hasText: ref2 }).waitFor();
    await page.locator('[data-action="upload"]').click();
    const cancelled = await page.evaluate(async () => {
      for (let i = 0; i < 2000; i++) {
        const runs = await window.go.app.Upload.Current();
        const r = runs.find((x) => x.state === 'running' && x.ref.endsWith(':2.0'));
        if (r) {
          await window.go.app.Tasks.Cancel(r.taskId);
          return r.phase;
        }
        await new Promise((res) => setTimeout(res, 2));
      }
      return '';
    });
    assert.ok(cancelled, 'the 2.0 upload never showed as running');
    await page.locator('[data-upload="cancelled"]').waitFor({ timeout: 30000 });
    assert.match(await page.locator('[data-upload]').innerText(), /Cancelled/);
    assert.match(await page.locator('[data-upload]').innerText(), /resume it from History/);
    await shot(page, 'upload-cancelled-en');

    await page.locator('[data-nav="history"]').click();
    const stopped = page.locator('tr[data-kind="upload"][data-status="cancelled"]', { hasText: ref2 });
    await stopped.waitFor();
    await shot(page, 'upload-history-en');
    await stopped.locator('[data-action="resume"]').click();
    await page.locator('.notice', { hasText: 'Resumed' }).waitFor();
    await page.locator('[data-nav="upload"]').click();
    const resumed = page.locator('[data-upload]:not([data-upload="running"])');
    await resumed.waitFor({ timeout: 120000 });
    assert.equal(await resumed.getAttribute('data-upload'), 'succeeded', await resumed.innerText());
    assert.equal((await page.locator('[data-upload] [data-ref]').innerText()).trim(), ref2);
    await shot(page, 'upload-resumed-en');
    await page.locator('[data-nav="history"]').click();
    await page.locator('tr[data-kind="upload"][data-status="succeeded"]', { hasText: ref2 })
      .waitFor();
    await page.locator('tr[data-kind="upload"][data-status="cancelled"]', { hasText: ref2 })
      .waitFor();

    // Chinese: the refusal and the form in the other language.
    await language(page, 'zh-CN');
    assert.match(await page.locator('[data-section="destination"]').innerText(), /发布位置/);
    await shot(page, 'upload-form-zh');
    await page.locator('[data-archive] button').click();
    await drop(page, bad);
    await page.locator('[data-refused]').waitFor();
    assert.match(await page.locator('[data-refused]').innerText(), /这不是镜像文件/);
    await shot(page, 'upload-refused-zh');
  } finally {
    await close();
  }
});
