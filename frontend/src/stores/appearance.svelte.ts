// Language and theme: loaded from Go at start, applied to the document, saved back.
import { shell, type Settings } from '../lib/api';
import { setLocale } from '../lib/i18n.svelte';

export const appearance = $state({
  settings: { language: 'auto', theme: 'auto' } as Settings,
  systemLocale: '',
  loaded: false,
});

function apply(a: { settings: Settings; locale: string; systemLocale: string }) {
  appearance.settings = a.settings;
  appearance.systemLocale = a.systemLocale;
  appearance.loaded = true;
  setLocale(a.locale);
  const theme = a.settings.theme;
  document.documentElement.dataset.theme = theme === 'auto' ? '' : theme;
}

export async function loadAppearance(): Promise<void> {
  apply(await shell.appearance());
}

export async function saveAppearance(next: Settings): Promise<void> {
  apply(await shell.saveSettings(next));
}
