// Language and theme: loaded from Go at start, applied to the document, saved back.
import { shell, type Settings } from '../lib/api';
import { setLocale } from '../lib/i18n.svelte';

export const appearance = $state({
  settings: { language: 'auto', theme: 'auto' } as Settings,
  systemLocale: '',
  loaded: false,
});

// The document always carries a concrete data-theme; "auto" follows the OS
// colour scheme as it changes.
const dark = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
dark?.addEventListener('change', paint);

function paint() {
  const theme = appearance.settings.theme;
  document.documentElement.dataset.theme =
    theme === 'auto' ? (dark?.matches ? 'dark' : 'light') : theme;
}

function apply(a: { settings: Settings; locale: string; systemLocale: string }) {
  appearance.settings = a.settings;
  appearance.systemLocale = a.systemLocale;
  appearance.loaded = true;
  setLocale(a.locale);
  paint();
}

export async function loadAppearance(): Promise<void> {
  apply(await shell.appearance());
}

export async function saveAppearance(next: Settings): Promise<void> {
  apply(await shell.saveSettings(next));
}
