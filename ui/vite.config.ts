/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { firstScreen } from "./build/firstScreen.ts";

// The Tauri window loads ui/dist in release and e2e builds, and this dev server
// (fixed port, see tauri.conf.json devUrl) under `tauri dev`.
export default defineConfig({
  // firstScreen: the sign-in page prerendered into index.html (build only).
  plugins: [react(), firstScreen()],
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: "localhost" },
  build: {
    target: ["es2022", "safari16"],
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    // Above asyncUtilTimeout (src/test/setup.ts), so a missing element fails
    // with Testing Library's message, not a bare timeout.
    testTimeout: 30_000,
  },
});
