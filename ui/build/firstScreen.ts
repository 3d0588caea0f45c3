// A Vite plugin for `vite build`: puts the first screen into index.html, so the
// window draws it without waiting for React and Fluent UI to load and run.
//   - src/firstScreen/early.ts, bundled alone as one classic script, inline at
//     the top of <head> (Tauri adds its hash to the page's CSP, script-src
//     'self' stays);
//   - the sign-in page prerendered by src/firstScreen/prerender.tsx, one
//     <template> per theme, and Griffel's styles for it in <head>.
// `vite` (the dev server) is untouched: there the page starts as it always did.

import { fileURLToPath } from "node:url";
import { build, createServer, type Plugin } from "vite";
import type { Prerendered } from "../src/firstScreen/prerender";
import { templateId } from "../src/firstScreen/early.ts";
import { RESOLVED_THEMES } from "../src/themeChoice.ts";

const ui = fileURLToPath(new URL("..", import.meta.url));

/** early.ts and what it imports, as one self-contained classic script. */
async function startScript(): Promise<string> {
  const output = await build({
    configFile: false,
    root: ui,
    logLevel: "warn",
    build: {
      write: false,
      minify: true,
      target: ["es2022", "safari16"],
      lib: {
        entry: fileURLToPath(new URL("../src/firstScreen/early.ts", import.meta.url)),
        formats: ["iife"],
        name: "rolecallStart",
        fileName: "early",
      },
    },
  });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => ("output" in o ? o.output : []));
  const chunk = chunks.find((c) => c.type === "chunk");
  if (!chunk || chunk.type !== "chunk") throw new Error("the start script did not build");
  // In a function of its own: the bundle's `var` stays out of the page's globals.
  return `(() => {\n${chunk.code.trim()}\nrolecallStart.startEarly(window);\n})();`;
}

/** The prerendered sign-in page, through Vite's SSR with the app's own config. */
async function prerendered(): Promise<Prerendered> {
  const server = await createServer({
    root: ui,
    configFile: fileURLToPath(new URL("../vite.config.ts", import.meta.url)),
    logLevel: "warn",
    appType: "custom",
    server: { middlewareMode: true, hmr: false, ws: false },
  });
  try {
    const module = await server.ssrLoadModule("/src/firstScreen/prerender.tsx");
    return (module.prerender as () => Prerendered)();
  } finally {
    await server.close();
  }
}

/** `</` inside an inline script would end it early; the build's output never has one, but say so. */
function inlineSafe(script: string): string {
  if (/<\/script/i.test(script)) throw new Error("the start script holds </script>: it cannot be inlined");
  return script;
}

export function firstScreen(): Plugin {
  return {
    name: "rolecall-first-screen",
    apply: (config, env) => env.command === "build" && !config.build?.ssr && !config.build?.lib,
    transformIndexHtml: {
      order: "post",
      async handler(html) {
        const [script, page] = await Promise.all([startScript(), prerendered()]);
        const templates = RESOLVED_THEMES.map(
          (theme) => `<template id="${templateId(theme)}">${page.pages[theme]}</template>`,
        ).join("\n    ");
        const viewport = /<meta name="viewport"[^>]*>/;
        if (!viewport.test(html) || !html.includes("</head>") || !html.includes('<div id="root"></div>')) {
          throw new Error("index.html has no viewport <meta>, </head> or empty #root to put the first screen in");
        }
        // The start script first, right after the <meta>s: a classic script
        // waits for the style sheets above it, and its questions should not.
        // Replaced through functions: a `$` in the markup or styles is text, not a pattern.
        return html
          .replace(viewport, (meta) => `${meta}\n    <script>${inlineSafe(script)}</script>`)
          .replace("</head>", () => `  ${page.styles}\n  </head>`)
          .replace('<div id="root"></div>', () => `<div id="root"></div>\n    ${templates}`);
      },
    },
  };
}
