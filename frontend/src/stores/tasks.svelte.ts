// The task centre's state: one list shared by every view, kept current by events.
import { tasks as api, type Task } from '../lib/api';

export const taskStore = $state({ list: [] as Task[], open: false });

let unsubscribe: (() => void) | null = null;

export async function startTasks(): Promise<void> {
  if (unsubscribe) return;
  unsubscribe = api.onUpdate(upsert);
  taskStore.list = await api.list();
}

export function stopTasks(): void {
  unsubscribe?.();
  unsubscribe = null;
}

/** Keeps the newest state of each task; events can arrive out of order. */
export function upsert(t: Task): void {
  const i = taskStore.list.findIndex((x) => x.id === t.id);
  if (i < 0) taskStore.list.unshift(t);
  else if (t.seq > taskStore.list[i].seq) taskStore.list[i] = t;
}

export function running(): number {
  return taskStore.list.filter((t) => t.state === 'running').length;
}

export async function cancelTask(id: string): Promise<void> {
  await api.cancel(id);
}

export async function clearFinished(): Promise<void> {
  await api.clearFinished();
  taskStore.list = taskStore.list.filter((t) => t.state === 'running');
}
