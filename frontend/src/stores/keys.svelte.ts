// Local signing keys, shared by Settings and the Browse view's sign action.
import { signing, type KeyView } from '../lib/api';

export const keyStore = $state({ list: [] as KeyView[] });

export async function loadKeys(): Promise<void> {
  keyStore.list = await signing.keys();
}
