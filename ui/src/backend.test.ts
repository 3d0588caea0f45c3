import { describe, expect, it } from "vitest";
import { answerOf, askEarly } from "./backend";
import { fakeBackend } from "./test/fakeBackend";

describe("the start's questions", () => {
  it("are sent before the first render, answered once from there, then asked afresh", async () => {
    const backend = fakeBackend();
    askEarly(backend);
    expect(backend.startupReport).toHaveBeenCalledTimes(1);
    expect(backend.getSession).toHaveBeenCalledTimes(1);
    await answerOf(backend, "startupReport");
    await answerOf(backend, "getSession");
    expect(backend.startupReport).toHaveBeenCalledTimes(1);
    expect(backend.getSession).toHaveBeenCalledTimes(1);
    // A later reload (after a sign-in) asks the backend again.
    await answerOf(backend, "getSession");
    expect(backend.getSession).toHaveBeenCalledTimes(2);
  });
});
