// Server profiles and the one in use, shared by every view.
import { profiles as api, type ProfileView, type KeyringInfo } from '../lib/api';

export const profileStore = $state({
  list: [] as ProfileView[],
  current: '',
  keyring: { available: true } as KeyringInfo,
  loaded: false,
});

export async function loadProfiles(): Promise<void> {
  const [list, keyring] = await Promise.all([api.list(), api.keyring()]);
  profileStore.list = list;
  profileStore.keyring = keyring;
  if (!list.some((v) => v.profile.name === profileStore.current)) {
    profileStore.current = list[0]?.profile.name ?? '';
  }
  profileStore.loaded = true;
}

export function currentProfile(): ProfileView | undefined {
  return profileStore.list.find((v) => v.profile.name === profileStore.current);
}
