import { useEffect, useMemo, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  Dropdown,
  Option,
  SearchBox,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ChevronDownRegular, ChevronRightRegular } from "@fluentui/react-icons";
import type { ScopeNode } from "../bindings";
import { useBackend } from "../backend";
import { ErrorBar, type Problem } from "./ErrorBar";
import { useCommand } from "../data/commands";

const useStyles = makeStyles({
  tree: { listStyleType: "none", margin: 0, paddingLeft: 0 },
  children: { listStyleType: "none", margin: 0, paddingLeft: tokens.spacingHorizontalXXL },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, minHeight: "32px" },
  id: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  label: { color: tokens.colorNeutralForeground1 },
  filters: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", marginBottom: tokens.spacingVerticalS },
});

const ALL_TYPES = "All resource types";

/**
 * Management group → subscription → resource group → resource, loaded as
 * the admin expands it; an admin who may read no management group starts at
 * the subscriptions.
 * Several scopes can be chosen; each shows its full ARM id. Filtering by
 * name, id or resource type searches the whole estate (read once, when
 * first asked), not only what is expanded.
 */
export function ScopePicker({ selected, onChange }: { selected: ScopeNode[]; onChange: (s: ScopeNode[]) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [roots, setRoots] = useState<ScopeNode[] | null>(null);
  const [children, setChildren] = useState<Record<string, ScopeNode[] | "loading">>({});
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [filter, setFilter] = useState("");
  const [type, setType] = useState(ALL_TYPES);
  const searching = filter.trim() !== "" || type !== ALL_TYPES;
  // The whole estate, read the first time a search or the type list needs it.
  const [wanted, setWanted] = useState(false);
  const estate = useCommand(() => (wanted ? backend.listEstate() : null), [backend, wanted]);
  useEffect(() => {
    if (searching) setWanted(true);
  }, [searching]);

  useEffect(() => {
    backend.listScopeRoots().then((r) => (r.status === "ok" ? setRoots(r.data) : setProblem(r.error)));
  }, [backend]);

  const expand = async (node: ScopeNode) => {
    const next = !open[node.id];
    setOpen((o) => ({ ...o, [node.id]: next }));
    if (next && !children[node.id]) {
      setChildren((c) => ({ ...c, [node.id]: "loading" }));
      const r = await backend.listChildren(node.id);
      if (r.status === "ok") setChildren((c) => ({ ...c, [node.id]: r.data }));
      else {
        setProblem(r.error);
        setChildren((c) => {
          const { [node.id]: _, ...rest } = c;
          return rest;
        });
      }
    }
  };

  const types = useMemo(() => {
    const all = new Set<string>();
    Object.values(children).forEach((list) => {
      if (list !== "loading") list.filter((n) => n.kind === "Resource").forEach((n) => all.add(n.detail));
    });
    (estate.data ?? []).filter((p) => p.node.kind === "Resource").forEach((p) => all.add(p.node.detail));
    return [ALL_TYPES, ...Array.from(all).sort((a, b) => a.localeCompare(b))];
  }, [children, estate.data]);

  const isSelected = (node: ScopeNode) => selected.some((s) => s.id.toLowerCase() === node.id.toLowerCase());
  const toggle = (node: ScopeNode, on: boolean) =>
    onChange(on ? [...selected, node] : selected.filter((s) => s.id.toLowerCase() !== node.id.toLowerCase()));

  const visible = (node: ScopeNode) => {
    const text = filter.trim().toLowerCase();
    const matchesText = !text || node.name.toLowerCase().includes(text) || node.id.toLowerCase().includes(text);
    const matchesType = node.kind !== "Resource" || type === ALL_TYPES || node.detail === type;
    return matchesText && matchesType;
  };

  const found = searching ? (estate.data ?? []).filter((p) => visible(p.node) && (type === ALL_TYPES || p.node.kind === "Resource")) : [];

  const label = (node: ScopeNode) => (
    // Fluent greys an unticked checkbox's label, which reads as disabled:
    // a scope is always a choice, ticked or not.
    <span className={styles.label}>
      <Text weight="semibold">{node.name}</Text>{" "}
      <Badge appearance="tint" size="small">
        {node.kind === "ResourceGroup"
          ? "Resource group"
          : node.kind === "ManagementGroup"
            ? "Management group"
            : node.kind}
      </Badge>{" "}
      {node.kind === "Resource" && <Caption1>{node.detail}</Caption1>}
      {node.kind === "Subscription" && node.detail !== "Enabled" && (
        <Badge color="warning" size="small">
          {node.detail}
        </Badge>
      )}
      <br />
      <Caption1 className={styles.id}>{node.id}</Caption1>
    </span>
  );

  const renderNode = (node: ScopeNode) => {
    const kids = children[node.id];
    const expandable = node.kind !== "Resource";
    const shownKids = kids && kids !== "loading" ? kids.filter((k) => visible(k) || k.kind !== "Resource") : [];
    return (
      <li key={node.id}>
        <div className={styles.row}>
          {expandable ? (
            <Button
              appearance="subtle"
              size="small"
              icon={open[node.id] ? <ChevronDownRegular /> : <ChevronRightRegular />}
              aria-label={`${open[node.id] ? "Collapse" : "Expand"} ${node.name}`}
              aria-expanded={!!open[node.id]}
              data-testid={`expand-${node.name}`}
              onClick={() => void expand(node)}
            />
          ) : (
            <span style={{ width: 24 }} />
          )}
          <Checkbox
            data-testid={`scope-${node.name}`}
            checked={isSelected(node)}
            onChange={(_, d) => toggle(node, !!d.checked)}
            label={label(node)}
          />
        </div>
        {open[node.id] &&
          (kids === "loading" ? (
            <Spinner size="tiny" label={`Loading ${node.name}…`} />
          ) : (
            <ul className={styles.children} aria-label={`Inside ${node.name}`}>
              {shownKids.length === 0 ? (
                <li>
                  <Caption1>Nothing here you can see.</Caption1>
                </li>
              ) : (
                shownKids.map(renderNode)
              )}
            </ul>
          ))}
      </li>
    );
  };

  return (
    <div>
      <div className={styles.filters}>
        <SearchBox placeholder="Filter by name or id" value={filter} onChange={(_, d) => setFilter(d.value)} aria-label="Filter scopes" />
        <Dropdown
          aria-label="Resource type"
          value={type}
          selectedOptions={[type]}
          onOptionSelect={(_, d) => setType(d.optionValue ?? ALL_TYPES)}
          onOpenChange={(_, d) => d.open && setWanted(true)}
        >
          {types.map((t) => (
            <Option key={t} value={t}>
              {t}
            </Option>
          ))}
        </Dropdown>
      </div>
      <ErrorBar problem={problem ?? estate.error} />
      {searching ? (
        estate.loading || (!estate.data && !estate.error) ? (
          <Spinner size="small" label="Searching every subscription…" />
        ) : (
          <ul className={styles.tree} aria-label="Matching scopes" data-testid="scope-matches">
            {found.length === 0 && (
              <li>
                <Caption1>No management group, subscription, resource group or resource you can see matches.</Caption1>
              </li>
            )}
            {found.slice(0, 100).map((p) => (
              <li key={p.node.id} className={styles.row}>
                <Checkbox
                  data-testid={`scope-${p.node.name}`}
                  checked={isSelected(p.node)}
                  onChange={(_, d) => toggle(p.node, !!d.checked)}
                  label={
                    <span>
                      {label(p.node)}
                      {p.within.length > 0 && <Caption1 className={styles.id}> in {p.within.filter(Boolean).join(" › ")}</Caption1>}
                    </span>
                  }
                />
              </li>
            ))}
            {found.length > 100 && (
              <li>
                <Caption1>{found.length - 100} more: narrow the search.</Caption1>
              </li>
            )}
          </ul>
        )
      ) : roots === null && !problem ? (
        <Spinner size="small" label="Loading scopes…" />
      ) : roots?.length === 0 ? (
        <Caption1>
          You can see no management group or subscription in this tenant. Ask an Owner or User Access Administrator to grant you Reader
          on the subscriptions you manage, or switch to the tenant that holds them.
        </Caption1>
      ) : (
        <ul className={styles.tree} aria-label="Scopes">
          {(roots ?? []).map(renderNode)}
        </ul>
      )}
    </div>
  );
}
