// The only module that calls the Go bindings and the Wails runtime. Views and
// stores import from here, so the bridge can be read, typed and replaced in one place.
import * as Shell from '../../wailsjs/go/app/Shell';
import * as Tasks from '../../wailsjs/go/app/Tasks';
import type { app } from '../../wailsjs/go/models';
import { EventsOn } from '../../wailsjs/runtime/runtime';

export type BuildInfo = app.BuildInfo;
export type Settings = app.Settings;
export type Appearance = app.Appearance;

export type TaskState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Task {
  id: string;
  kind: string;
  subject: string;
  state: TaskState;
  done: number;
  total: number;
  rate: number;
  errorCode?: string;
  detail?: string;
  started: string;
  ended?: string;
}

export const shell = {
  info: (): Promise<BuildInfo> => Shell.Info(),
  appearance: (): Promise<Appearance> => Shell.Appearance(),
  saveSettings: (s: Settings): Promise<Appearance> => Shell.SaveSettings(s),
  directories: (): Promise<Record<string, string>> => Shell.Directories(),
};

export const tasks = {
  list: async (): Promise<Task[]> => (await Tasks.List()) as unknown as Task[],
  cancel: (id: string): Promise<void> => Tasks.Cancel(id),
  clearFinished: (): Promise<void> => Tasks.ClearFinished(),
  /** Calls fn for every task update; returns the function that unsubscribes. */
  onUpdate: (fn: (t: Task) => void): (() => void) =>
    EventsOn('tasks:update', (t: Task) => fn(t)),
};
