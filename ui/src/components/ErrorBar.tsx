import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import type { CommandError } from "../bindings";

export type Problem = CommandError;

/** A backend error as the admin reads it: Azure's code, and what to do. */
export function ErrorBar({ problem, title }: { problem: Problem | null; title?: string }) {
  if (!problem) return null;
  return (
    <MessageBar intent="error" data-testid="error-bar">
      <MessageBarBody>
        <MessageBarTitle>{title ?? "Azure refused"}</MessageBarTitle>
        {problem.message} <code>({problem.code})</code>
      </MessageBarBody>
    </MessageBar>
  );
}
