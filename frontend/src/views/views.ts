// The four views of the window, in navigation order.
export const views = ['upload', 'browse', 'history', 'settings'] as const;
export type View = (typeof views)[number];
