// Locale files must have identical keys, every key the code asks for must exist,
// and no Chinese text may hide in components instead of the locale files.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogs, format } from './i18n.svelte';
import { parseError } from './errors';

const src = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'i18n' ? [] : sources(p);
    return /\.(svelte|ts)$/.test(name) && !name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('locales', () => {
  it('zh-CN and en have exactly the same keys', () => {
    expect(Object.keys(catalogs['zh-CN']).sort()).toEqual(Object.keys(catalogs.en).sort());
  });

  it('no message is empty', () => {
    for (const [loc, msgs] of Object.entries(catalogs)) {
      for (const [k, v] of Object.entries(msgs)) expect(v.trim(), `${loc} ${k}`).not.toBe('');
    }
  });

  it('placeholders match between locales', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(catalogs.en)) {
      expect(names(catalogs['zh-CN'][k]), k).toEqual(names(catalogs.en[k]));
    }
  });

  it('every literal key used in the code exists', () => {
    const used = new Set<string>();
    for (const f of sources(src)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) {
        used.add(m[1]);
      }
    }
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter((k) => !(k in catalogs.en));
    expect(missing).toEqual([]);
  });

  it('components hold no Chinese text of their own', () => {
    const offenders = sources(src).filter((f) => /[\u4e00-\u9fff]/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('format', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(format('{n} of {m}', { n: 1 })).toBe('1 of {m}');
  });
});

describe('parseError', () => {
  it('splits a known code from its detail', () => {
    expect(parseError(new Error('task_not_found: t9'))).toEqual({
      code: 'task_not_found',
      detail: 't9',
    });
  });
  it('maps unknown text to the unknown code', () => {
    expect(parseError('dial tcp: refused').code).toBe('unknown');
  });
});
