import {
  Button,
  Caption1,
  Checkbox,
  MessageBar,
  MessageBarBody,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import type { ScopeNode, TemplateInputView, TemplateView } from "../../bindings";
import { ScopePicker } from "../../components/ScopePicker";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  list: { listStyleType: "none", margin: 0, padding: 0 },
  row: { padding: `${tokens.spacingVerticalXS} 0`, borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  indent: { display: "block", marginLeft: "32px" },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  wrong: { color: tokens.colorPaletteRedForeground1 },
});

const KIND_WORDS: Record<string, string> = {
  resource: "a resource",
  resourceGroup: "a resource group",
  subscription: "a subscription",
};

/** What the input asks for, in words. */
export const wanted = (input: TemplateInputView) =>
  input.kind === "resource" && input.resourceType ? `a ${input.resourceType} resource` : (KIND_WORDS[input.kind] ?? input.kind);

/** The chosen scope is of the kind (and resource type) the input asks for. */
export function fits(input: TemplateInputView, node: ScopeNode | undefined): boolean {
  if (!node) return false;
  switch (input.kind) {
    case "resource":
      return node.kind === "Resource" && (!input.resourceType || node.detail.toLowerCase() === input.resourceType.toLowerCase());
    case "resourceGroup":
      return node.kind === "ResourceGroup";
    case "subscription":
      return node.kind === "Subscription";
    default:
      return true;
  }
}

/** Step 2: the template's inputs, picked in the scope tree, and its tasks in plain words. */
export function TasksStep({
  template,
  inputs,
  onInputs,
  tasks,
  onTasks,
  offboard = false,
}: {
  template: TemplateView;
  inputs: Record<string, ScopeNode | undefined>;
  onInputs: (inputs: Record<string, ScopeNode | undefined>) => void;
  tasks: string[];
  onTasks: (tasks: string[]) => void;
  /** Taking the template's access away: the step speaks of removal. */
  offboard?: boolean;
}) {
  const styles = useStyles();
  const toggle = (id: string, on: boolean) =>
    // Kept in the template's order, whatever order they are ticked in.
    onTasks(template.tasks.map((t) => t.id).filter((t) => (t === id ? on : tasks.includes(t))));

  return (
    <div className={styles.page}>
      {template.inputs.map((input) => {
        const chosen = inputs[input.id];
        return (
          <section key={input.id} className={styles.section} aria-label={input.label}>
            <Text weight="semibold">{input.label}</Text>
            <Caption1 className={styles.muted}>Choose {wanted(input)} in the tree.</Caption1>
            <ScopePicker
              selected={chosen ? [chosen] : []}
              onChange={(nodes) => {
                // One scope per input: the newly ticked one replaces the last.
                const added = nodes.find((n) => n.id.toLowerCase() !== chosen?.id.toLowerCase());
                onInputs({ ...inputs, [input.id]: nodes.length === 0 ? undefined : (added ?? nodes[0]) });
              }}
            />
            {chosen && fits(input, chosen) && (
              <Caption1 data-testid={`input-${input.id}`}>
                Chosen: <Text weight="semibold" size={200}>{chosen.name}</Text> <span className={styles.muted}>{chosen.id}</span>
              </Caption1>
            )}
            {chosen && !fits(input, chosen) && (
              <Caption1 className={styles.wrong} data-testid={`input-${input.id}-wrong`}>
                {chosen.name} is not {wanted(input)}; choose {wanted(input)}.
              </Caption1>
            )}
          </section>
        );
      })}
      <section className={styles.section} aria-label="Tasks">
        <div>
          <Text weight="semibold">{offboard ? "Which tasks' access goes?" : "What will they do?"}</Text>{" "}
          <Button
            size="small"
            appearance="transparent"
            onClick={() => onTasks(tasks.length === template.tasks.length ? [] : template.tasks.map((t) => t.id))}
          >
            {tasks.length === template.tasks.length ? "Clear all" : "Choose all"}
          </Button>
        </div>
        <Caption1 className={styles.muted}>
          {offboard
            ? "What the chosen tasks gave is removed where the template puts it; what other tasks give stays."
            : "Only what the chosen tasks need is granted; a grant another chosen one already includes is left out."}
        </Caption1>
        <ul className={styles.list} aria-label="Tasks">
          {template.tasks.map((t) => {
            const checked = tasks.includes(t.id);
            return (
              <li key={t.id} className={styles.row}>
                <Checkbox
                  data-testid={`task-${t.id}`}
                  checked={checked}
                  onChange={(_, d) => toggle(t.id, !!d.checked)}
                  label={<Text weight="semibold">{t.title}</Text>}
                />
                {t.description && <Caption1 className={mergeClasses(styles.indent, styles.muted)}>{t.description}</Caption1>}
                {checked && t.warning && (
                  <MessageBar intent="warning" className={styles.indent} data-testid="task-warning">
                    <MessageBarBody>{t.warning}</MessageBarBody>
                  </MessageBar>
                )}
              </li>
            );
          })}
        </ul>
        {template.customRoles.length > 0 && (
          <Caption1 className={styles.muted}>
            This template uses its own custom role{template.customRoles.length === 1 ? "" : "s"}{" "}
            {template.customRoles.map((r) => `“${r}”`).join(", ")}: created first when not in place yet.
          </Caption1>
        )}
      </section>
    </div>
  );
}
