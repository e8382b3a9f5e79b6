import { describe, expect, it } from 'vitest';
import { bytes, percent } from './format';

describe('bytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.50 KiB'],
    [1073741824, '1.00 GiB'],
    [-1, '—'],
  ])('%d → %s', (n, want) => expect(bytes(n)).toBe(want));
});

describe('percent', () => {
  it('clamps and rounds', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 0)).toBe(0);
    expect(percent(9, 4)).toBe(100);
  });
});
