// Errors from Go arrive as strings "code: detail" (see app.CodedError). The code
// picks a translated sentence; the detail is only shown behind "Details".
import { catalogs } from './i18n.svelte';

export interface UIError {
  code: string;
  detail: string;
}

export function parseError(err: unknown): UIError {
  const text = err instanceof Error ? err.message : String(err ?? '');
  const m = /^([a-z][a-z0-9_]*)(?::\s*([\s\S]*))?$/.exec(text);
  if (m && `error.${m[1]}` in catalogs.en) return { code: m[1], detail: m[2] ?? '' };
  return { code: 'unknown', detail: text };
}
