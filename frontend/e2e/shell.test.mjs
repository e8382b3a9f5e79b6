// The window shell in real Chromium against the real Go backend: navigation,
// switching language both ways (saved by Go, so it survives a reload), the task
// centre and the About box.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, shot } from './browser.mjs';

const navText = (page) =>
  page.locator('nav .item[data-nav]').evaluateAll((els) => els.map((e) => e.textContent.trim()));

async function chooseLanguage(page, value) {
  await page.locator('[data-nav="settings"]').click();
  await page.locator('#language').selectOption(value);
}

test('language switches the visible navigation and persists', async () => {
  const { page, close } = await openApp();
  try {
    // The backend runs with LANG=zh_CN.UTF-8, so "follow the system" is Chinese.
    await chooseLanguage(page, 'auto');
    await page.locator('[data-nav="upload"]', { hasText: '上传' }).waitFor();
    assert.deepEqual((await navText(page)).slice(0, 4), ['上传', '浏览', '历史', '设置']);
    await shot(page, 'shell-zh');

    await chooseLanguage(page, 'en');
    await page.locator('[data-nav="upload"]', { hasText: 'Upload' }).waitFor();
    assert.deepEqual(await navText(page), [
      'Upload', 'Browse', 'History', 'Settings', 'Tasks', 'About',
    ]);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await shot(page, 'settings-en');

    await page.reload();
    await page.locator('.shell.ready').waitFor();
    assert.equal((await navText(page))[0], 'Upload', 'English was not kept by the backend');

    await chooseLanguage(page, 'zh-CN');
    await page.locator('[data-nav="upload"]', { hasText: '上传' }).waitFor();
    assert.deepEqual((await navText(page)).slice(0, 4), ['上传', '浏览', '历史', '设置']);
  } finally {
    await close();
  }
});

test('every view has its heading', async () => {
  const { page, close } = await openApp();
  try {
    for (const view of ['upload', 'browse', 'history', 'settings']) {
      await page.locator(`[data-nav="${view}"]`).click();
      await page.locator(`main[data-view="${view}"] h1`).waitFor();
    }
  } finally {
    await close();
  }
});

test('task centre opens empty and the About box shows the build', async () => {
  const { page, close } = await openApp();
  try {
    await page.locator('[data-nav="tasks"]').click();
    await page.locator('aside.drawer .empty').waitFor();
    await shot(page, 'tasks-empty');
    await page.locator('aside.drawer .btn.icon').click();
    assert.equal(await page.locator('aside.drawer').count(), 0);

    await page.locator('[data-nav="about"]').click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    // The build details arrive from Go after the dialog opens.
    await dialog.getByText(/go1\.\d+/).waitFor();
    const text = await dialog.innerText();
    assert.match(text, /go1\.\d+/, 'About shows the Go version from the backend');
    assert.match(text, /v2\.9\.2/, 'About shows the Wails version from the backend');
    await shot(page, 'about');
    await dialog.locator('.btn.primary').click();
    assert.equal(await page.locator('dialog[open]').count(), 0);
  } finally {
    await close();
  }
});

test('the dark theme applies and is kept by the backend', async () => {
  const { page, close } = await openApp();
  try {
    await page.locator('[data-nav="settings"]').click();
    await page.locator('#theme').selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 120, `dark background expected, got ${bg}`);
    await shot(page, 'settings-dark-zh');
    await page.locator('[data-action="add-profile"]').click();
    const editor = page.locator('dialog[open]');
    await editor.getByText('每次以相同方式压缩镜像层').scrollIntoViewIfNeeded();
    await shot(page, 'profile-editor-dark-zh');
    await editor.getByRole('button', { name: '取消' }).click();
    await editor.waitFor({ state: 'detached' });
    await page.reload();
    await page.locator('.shell.ready').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.locator('[data-nav="browse"]').click();
    await page.locator('[data-repo="base-images"]').click();
    await page.locator('[data-image="basic/ubuntu"]').click();
    await page.locator('[data-version="v1.10"]').click();
    await page.locator('[data-badge="verified"]').waitFor({ timeout: 20000 });
    await shot(page, 'browse-dark-zh');
    await page.locator('[data-nav="history"]').click();
    await page.locator('main[data-view="history"] h1').waitFor();
    await shot(page, 'history-dark-zh');
    await page.locator('[data-nav="settings"]').click();
    await page.locator('#theme').selectOption('auto');
    // Headless Chromium reports a light system scheme.
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  } finally {
    await close();
  }
});
