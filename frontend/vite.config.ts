import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  build: { chunkSizeWarningLimit: 1024 },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
