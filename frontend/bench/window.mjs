// Window benchmarks in Debian's Chromium against the dev build of the app (real Go
// backend through Wails' bridge). Run by build/scripts/bench-window.sh, not a test.
//
//   node bench/window.mjs versions EXPECTED.json RUNS
//   node bench/window.mjs history  SEEDED.json   RUNS
//
// Each run opens a fresh browser profile and page, measures inside the page with
// performance.now() and requestAnimationFrame, checks what it sees against what
// the seeders wrote, and prints one JSON line. Times are to the frame after the
// result entered the DOM, i.e. once it has been painted.
import { readFile } from 'node:fs/promises';
import { openApp } from '../e2e/browser.mjs';

const [mode, file, runsArg] = process.argv.slice(2);
if (mode !== 'versions' && mode !== 'history') throw new Error(`unknown mode ${mode}`);
const runs = Math.min(20, Math.max(1, Number(runsArg) || 1));
const seeded = JSON.parse(await readFile(file, 'utf8'));

// Helpers installed in the page: a frame promise, waiting for a condition
// frame by frame (bounded), and letting the page settle.
const pageHelpers = () => {
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  window.bench = {
    frame,
    async until(what, test, limitMs = 60000) {
      const t0 = performance.now();
      for (;;) {
        await frame();
        if (test()) return;
        if (performance.now() - t0 > limitMs) throw new Error(`timed out waiting for ${what}`);
      }
    },
    // Settles the page: a few frames with nothing to do.
    async idle() {
      for (let i = 0; i < 10; i++) await frame();
    },
  };
};

// p50, p95 and longest of the frame intervals, and the vsyncs they missed.
function frameStats(deltas) {
  const s = [...deltas].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  // A frame that took more than 1.5 vsync intervals dropped at least one.
  const dropped = deltas.reduce((n, d) => n + Math.max(0, Math.round(d / 16.7) - 1), 0);
  return { frames: deltas.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1], dropped };
}

async function versionsRun(page) {
  await page.locator('[data-nav="browse"]').click();
  await page.locator('[data-repo="base-images"]').click();
  await page.locator('[data-image="basic/bench"]').waitFor();
  const want = seeded.versions;
  const filterText = '99';
  const filtered = want.filter((v) => v.includes(filterText));
  return page.evaluate(async ({ want, filtered, filterText }) => {
    const { frame, until, idle } = window.bench;
    const rows = () => [...document.querySelectorAll('[data-version]')];
    const list = () => document.querySelector('.viewport[data-rows]');
    const firstOk = (names) => {
      const r = rows().slice(0, 10).map((e) => e.dataset.version);
      return r.length === Math.min(10, names.length) && r.every((v, i) => v === names[i]);
    };
    await idle();

    // 1. Click the image: the list appears, sorted, with every version.
    let t0 = performance.now();
    document.querySelector('[data-image="basic/bench"]').click();
    await until('the version list', () => firstOk(want));
    await frame();
    const listMs = performance.now() - t0;
    const total = Number(list().dataset.rows);
    if (total !== want.length) throw new Error(`the list has ${total} rows, want ${want.length}`);
    await idle();

    // 2. Filter by typing (one input event, as a paste).
    const input = document.querySelector('input[aria-label="Filter images and versions"]');
    t0 = performance.now();
    input.value = filterText;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await until('the filtered list', () =>
      Number(list()?.dataset.rows) === filtered.length && firstOk(filtered));
    await frame();
    const filterMs = performance.now() - t0;
    t0 = performance.now();
    input.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await until('the whole list again', () => Number(list()?.dataset.rows) === want.length);
    await frame();
    const clearMs = performance.now() - t0;
    await idle();

    // 3. Scroll from top to bottom, 800 px (25 rows) a frame, timing frames.
    const el = list();
    const deltas = [];
    let last = performance.now();
    while (el.scrollTop + el.clientHeight < el.scrollHeight - 1) {
      el.scrollTop = Math.min(el.scrollTop + 800, el.scrollHeight);
      await frame();
      const now = performance.now();
      deltas.push(now - last);
      last = now;
      if (deltas.length > 5000) throw new Error('the list never reached its end');
    }
    await frame();
    const end = rows().at(-1);
    if (end?.dataset.version !== want.at(-1) || !end.querySelector('.newest')) {
      throw new Error(`last row ${end?.dataset.version}, want ${want.at(-1)} marked newest`);
    }
    return { listMs, filterMs, clearMs, rows: total, filtered: filtered.length, deltas };
  }, { want, filtered, filterText });
}

async function historyRun(page) {
  const { events, text, matches } = seeded;
  return page.evaluate(async ({ events, text, matches }) => {
    const { frame, until, idle } = window.bench;
    // Live and cheap to read every frame, unlike querySelectorAll.
    const rows = () => document.querySelector('tbody')?.rows ?? [];
    const count = () => document.querySelector('.filters .count')?.textContent.trim();
    await idle();

    // 1. Open History: the first page and the total.
    let t0 = performance.now();
    document.querySelector('[data-nav="history"]').click();
    await until('the first page', () => rows().length > 0 && count() === `${events} events`);
    await frame();
    const openMs = performance.now() - t0;
    const firstPage = rows().length;
    // The view filters again 200 ms after it opens; let that settle.
    await new Promise((r) => setTimeout(r, 400));
    await idle();

    // 2. A text filter (the view waits 200 ms after the last key, included).
    const input = document.querySelector('input[aria-label="Search image, version, reference"]');
    t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const subjects = () => [...document.querySelectorAll('tbody td.subject')]
      .map((e) => e.textContent.toLowerCase());
    await until('the filtered page', () => count() === `${matches} events` &&
      rows().length === Math.min(100, matches) &&
      subjects().every((s) => s.includes(text.toLowerCase())));
    await frame();
    const filterMs = performance.now() - t0;
    input.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await until('the whole history again', () => count() === `${events} events` &&
      !subjects().every((s) => s.includes(text.toLowerCase())));
    await idle();

    // 3. Scroll down 300 px a frame until row 1,000 is in view; the view loads
    // a page of 100 when the end comes near. A stall is the time spent at the
    // very bottom waiting for the next page.
    const box = document.querySelector('section.table-wrap');
    const target = 1000;
    const deltas = [];
    const stalls = [];
    let stalledAt = 0;
    let seen = rows().length;
    t0 = performance.now();
    let last = t0;
    for (;;) {
      const r = rows();
      if (r.length >= target) {
        const row = r[target - 1].getBoundingClientRect();
        const view = box.getBoundingClientRect();
        if (row.bottom <= view.bottom) break;
      }
      if (r.length > seen) {
        if (stalledAt) stalls.push(performance.now() - stalledAt);
        stalledAt = 0;
        seen = r.length;
      }
      const bottom = box.scrollHeight - box.clientHeight;
      if (box.scrollTop >= bottom - 1 && !stalledAt) stalledAt = performance.now();
      box.scrollTop = Math.min(box.scrollTop + 300, bottom);
      await frame();
      const now = performance.now();
      deltas.push(now - last);
      last = now;
      if (now - t0 > 120000) throw new Error(`only ${rows().length} rows after 120 s`);
    }
    const toRowMs = performance.now() - t0;
    return { openMs, firstPage, filterMs, toRowMs, rowsLoaded: rows().length, stalls, deltas };
  }, { events, text, matches });
}

// Frame statistics under the names the shell script reports.
function frameFields(deltas) {
  const f = frameStats(deltas);
  return { frames: f.frames, frame_p50_ms: f.p50, frame_p95_ms: f.p95, frame_max_ms: f.max,
    dropped_frames: f.dropped };
}

// Flat numeric fields only, one JSON line per run, for the shell script.
function flat(r) {
  if (mode === 'versions') {
    return { list_ms: r.listMs, filter_ms: r.filterMs, clear_ms: r.clearMs, rows: r.rows,
      filtered_rows: r.filtered, ...frameFields(r.deltas) };
  }
  return { open_ms: r.openMs, first_page_rows: r.firstPage, filter_ms: r.filterMs,
    to_row_1000_ms: r.toRowMs, rows_loaded: r.rowsLoaded, page_stalls: r.stalls.length,
    stall_max_ms: Math.max(0, ...r.stalls), ...frameFields(r.deltas) };
}

for (let i = 1; i <= runs; i++) {
  const { page, close } = await openApp();
  try {
    await page.evaluate(pageHelpers);
    const r = mode === 'versions' ? await versionsRun(page) : await historyRun(page);
    const out = Object.fromEntries(Object.entries(flat(r))
      .map(([k, v]) => [k, Math.round(v * 10) / 10]));
    console.log(JSON.stringify(out));
  } finally {
    await close();
  }
}
