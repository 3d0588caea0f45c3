import { useState } from "react";
import {
  Button,
  Caption1,
  Dropdown,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  SearchBox,
  Spinner,
  Switch,
  Text,
} from "@fluentui/react-components";
import type { OperationView } from "../../../bindings";
import { useBackend } from "../../../backend";
import { ErrorBar } from "../../../components/ErrorBar";
import { useCommand, useDebouncedSearch } from "../../../data/commands";
import { useStyles } from "./styles";
import { LISTS, patternAt, toJson, type DraftModel, type ListKey } from "./model";
import { IssueList } from "./IssueList";

export function Permissions({ draft, editing, onDraft }: { draft: DraftModel; editing: string; onDraft: (d: DraftModel) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  // What the permissions grant, checked as they change: a wildcard that
  // reaches too far, or one that changes who has access, is said here,
  // where it can be removed, not only at the review.
  const checked = useDebouncedSearch(toJson(draft), (json) => backend.checkRoleDraft(json, editing), 300, [backend, editing]);
  const warnings = (checked.results?.issues ?? []).filter((i) => !i.error && patternAt(i.field));
  const [text, setText] = useState("");
  const [data, setData] = useState(false);
  const [expanded, setExpanded] = useState<Record<string, string>>({});
  const block = draft.permissions[0]!;
  const search = useDebouncedSearch(text, (query) => backend.searchOperations(query, data), 200, [backend, data]);
  const found = search.results;

  const change = (key: ListKey, next: string[]) =>
    onDraft({ ...draft, permissions: [{ ...block, [key]: next }, ...draft.permissions.slice(1)] });
  const add = (key: ListKey, name: string) => {
    if (!block[key].some((a) => a.toLowerCase() === name.toLowerCase())) change(key, [...block[key], name]);
  };
  const expand = async (pattern: string, isData: boolean) => {
    const r = await backend.expandPattern(pattern, isData);
    if (r.status === "ok")
      setExpanded((e) => ({
        ...e,
        [pattern]: `${r.data.count} operation${r.data.count === 1 ? "" : "s"}${r.data.count ? `: ${r.data.sample.slice(0, 5).join(", ")}${r.data.count > 5 ? ", …" : ""}` : ""}`,
      }));
  };

  return (
    <div className={styles.column}>
      {warnings.length > 0 && checked.results && (
        <MessageBar intent="warning" layout="multiline" data-testid="permission-warnings">
          <MessageBarBody>
            <MessageBarTitle>
              This role grants {checked.results.granted} operation{checked.results.granted === 1 ? "" : "s"}; {warnings.length === 1 ? "one permission reaches" : `${warnings.length} permissions reach`} further than most roles should
            </MessageBarTitle>
            <IssueList check={{ ...checked.results, issues: warnings }} draft={draft} onDraft={onDraft} />
          </MessageBarBody>
        </MessageBar>
      )}
      {LISTS.map(({ key, label }) => (
        <div key={key}>
          <Text weight="semibold">
            {label} ({block[key].length})
          </Text>
          <ul className={styles.list} aria-label={label}>
            {block[key].map((a) => (
              <li key={a} className={styles.row}>
                <span>
                  <span className={styles.code}>{a}</span>
                  {a.includes("*") && (
                    <>
                      <br />
                      {expanded[a] ? (
                        <Caption1 className={styles.muted}>Grants {expanded[a]}</Caption1>
                      ) : (
                        <Button size="small" appearance="transparent" onClick={() => void expand(a, key.toLowerCase().includes("data"))}>
                          What does {a} grant?
                        </Button>
                      )}
                    </>
                  )}
                </span>
                <Button size="small" aria-label={`Remove ${a}`} data-testid={`remove-${a}`} onClick={() => change(key, block[key].filter((x) => x !== a))}>
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <Text weight="semibold">Add permissions</Text>
      <Switch checked={data} onChange={(_, d) => setData(d.checked)} label="Data actions" />
      <SearchBox
        aria-label="Search operations"
        data-testid="operation-search"
        placeholder="Search the provider-operations catalogue, e.g. communication email"
        value={text}
        onChange={(_, d) => setText(d.value)}
        style={{ width: "100%", maxWidth: "640px" }}
      />
      {found && <OperationRows label="Operations" ops={found} onAdd={add} />}
      <Text weight="semibold">Or browse by provider and resource type</Text>
      <Browse onAdd={add} />
    </div>
  );
}

/** Operations with Add and Exclude. */
export function OperationRows({
  label,
  ops,
  onAdd,
}: {
  label: string;
  ops: OperationView[];
  onAdd: (key: ListKey, name: string) => void;
}) {
  const styles = useStyles();
  return (
    <ul className={styles.list} aria-label={label}>
      {ops.length === 0 && <Caption1>No operation matches.</Caption1>}
      {ops.map((o) => (
        <li key={o.name} className={styles.row}>
          <span>
            <span className={styles.code}>{o.name}</span>
            <br />
            <Caption1 className={styles.muted}>{o.displayName || o.description}</Caption1>
          </span>
          <span>
            <Button size="small" data-testid={`add-${o.name}`} onClick={() => onAdd(o.dataAction ? "dataActions" : "actions", o.name)}>
              Add
            </Button>{" "}
            <Button size="small" onClick={() => onAdd(o.dataAction ? "notDataActions" : "notActions", o.name)}>
              Exclude
            </Button>
          </span>
        </li>
      ))}
    </ul>
  );
}

const ALL_TYPES = "(all resource types)";

const OWN = "(the provider's own operations)";

/** Browse the catalogue: a provider, then one of its resource types. */
export function Browse({ onAdd }: { onAdd: (key: ListKey, name: string) => void }) {
  const backend = useBackend();
  const [provider, setProvider] = useState("");
  const [type, setType] = useState(ALL_TYPES);
  const listed = useCommand(() => backend.listProviders(), [backend]);
  const operations = useCommand(
    () =>
      provider ? backend.providerOperations(provider, type === ALL_TYPES ? "" : type === OWN ? "-" : type) : null,
    [backend, provider, type],
  );
  const providers = listed.data;
  const ops = provider ? operations.data : null;

  const chosen = providers?.find((p) => p.namespace === provider);
  if (listed.error) return <ErrorBar problem={listed.error} title="The catalogue could not be read" />;
  if (!providers) return <Spinner size="tiny" label="Loading providers…" />;
  return (
    <div>
      <div style={{ display: "flex", gap: 12, flexWrap: "wrap" }}>
        <Dropdown
          aria-label="Provider"
          data-testid="provider"
          placeholder="Choose a provider"
          value={provider}
          selectedOptions={provider ? [provider] : []}
          onOptionSelect={(_, d) => {
            setProvider(d.optionValue ?? "");
            setType(ALL_TYPES);
          }}
        >
          {providers.map((p) => (
            <Option key={p.namespace} value={p.namespace} text={p.namespace}>
              {p.namespace} ({p.operations})
            </Option>
          ))}
        </Dropdown>
        {chosen && (
          <Dropdown
            aria-label="Resource type"
            value={type}
            selectedOptions={[type]}
            onOptionSelect={(_, d) => setType(d.optionValue ?? ALL_TYPES)}
          >
            {[ALL_TYPES, OWN, ...chosen.resourceTypes].map((t) => (
              <Option key={t} value={t}>
                {t}
              </Option>
            ))}
          </Dropdown>
        )}
      </div>
      {provider && ops && <OperationRows label={`Operations of ${provider}`} ops={ops} onAdd={onAdd} />}
    </div>
  );
}
