// The History view's rows, paged by id so 100,000 rows never load at once.
import { history as api, type HistoryEvent, type HistoryFilter } from '../lib/api';

export const PAGE = 100;

export const historyStore = $state({
  events: [] as HistoryEvent[],
  total: 0,
  next: 0,
  loading: false,
  error: '',
});

export function filterOf(kind: string, status: string, text: string, from: string, to: string) {
  const f: HistoryFilter = {
    kinds: kind ? [kind] : [],
    statuses: status ? [status] : [],
    profile: '',
    text: text.trim(),
    before_id: 0,
    limit: PAGE,
  };
  if (from) f.from = new Date(`${from}T00:00:00`).toISOString();
  if (to) f.to = new Date(new Date(`${to}T00:00:00`).getTime() + 86400000).toISOString();
  return f;
}

let seq = 0;

/** Loads the first page for f, dropping answers to older requests. */
export async function reload(f: HistoryFilter): Promise<void> {
  const mine = ++seq;
  historyStore.loading = true;
  try {
    const page = await api.query({ ...f, before_id: 0 });
    if (mine !== seq) return;
    historyStore.events = page.events ?? [];
    historyStore.total = page.total;
    historyStore.next = page.next_before_id;
    historyStore.error = '';
  } catch (e) {
    if (mine === seq) historyStore.error = String(e);
  } finally {
    if (mine === seq) historyStore.loading = false;
  }
}

/** Appends the next page. */
export async function more(f: HistoryFilter): Promise<void> {
  if (!historyStore.next || historyStore.loading) return;
  const mine = seq;
  historyStore.loading = true;
  try {
    const page = await api.query({ ...f, before_id: historyStore.next });
    if (mine !== seq) return;
    historyStore.events.push(...(page.events ?? []));
    historyStore.next = page.next_before_id;
  } finally {
    historyStore.loading = false;
  }
}
