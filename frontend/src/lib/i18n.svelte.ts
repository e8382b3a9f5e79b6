// Translations: one JSON file per locale with identical keys (a test checks).
// Components call t with a key and optional parameters; the locale is reactive state.
import en from '../i18n/en.json';
import zhCN from '../i18n/zh-CN.json';

export type Locale = 'zh-CN' | 'en';
export type Messages = Record<string, string>;

export const catalogs: Record<Locale, Messages> = { 'zh-CN': zhCN, en };
export const locales: Locale[] = ['zh-CN', 'en'];

let current = $state<Locale>('zh-CN');

/** The locale the window shows now. */
export function locale(): Locale {
  return current;
}

/** Switches the visible language and the document's lang attribute. */
export function setLocale(next: string): void {
  current = isLocale(next) ? next : 'zh-CN';
  if (typeof document !== 'undefined') document.documentElement.lang = current;
}

export function isLocale(v: string): v is Locale {
  return (locales as string[]).includes(v);
}

/** Translates key with {placeholders}; a missing key shows itself so it gets noticed. */
export function t(key: string, params?: Record<string, string | number>): string {
  return format(catalogs[current][key] ?? key, params);
}

export function format(msg: string, params?: Record<string, string | number>): string {
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}
