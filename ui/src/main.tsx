import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { askEarly } from "./backend";
import { commands } from "./bindings";
import "./base.css";

// Milestones of the start, read by `cargo xtask bench --only startup`.
performance.mark("rolecall:script-run");
askEarly(commands);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
