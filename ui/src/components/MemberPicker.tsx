import { useRef, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  SearchBox,
  Spinner,
  Text,
  makeStyles,
  tokens,
  useArrowNavigationGroup,
} from "@fluentui/react-components";
import { DismissRegular } from "@fluentui/react-icons";
import type { MemberKind, MemberView } from "../bindings";
import { useBackend } from "../backend";
import { ErrorBar, type Problem } from "./ErrorBar";
import { useDebouncedSearch } from "../data/commands";

const useStyles = makeStyles({
  list: { listStyleType: "none", margin: 0, padding: 0 },
  row: {
    display: "flex",
    alignItems: "flex-start",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalXS} 0`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  detail: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
});

export const KIND_LABEL: Record<MemberKind, string> = {
  User: "User",
  Group: "Group",
  ServicePrincipal: "Service principal",
};

/** What identifies a member under its name; a group has no UPN, so no leading separator. */
export function memberDetail(member: MemberView): string {
  const detail = member.kind === "ServicePrincipal" && member.detail ? `application id ${member.detail}` : member.detail;
  return [detail, `object id ${member.id}`].filter(Boolean).join(" · ");
}

function MemberLine({ member }: { member: MemberView }) {
  const styles = useStyles();
  return (
    <span>
      <Text weight="semibold">{member.displayName}</Text>{" "}
      <Badge appearance="tint" size="small">
        {member.label || KIND_LABEL[member.kind]}
      </Badge>
      <br />
      <Caption1 className={styles.detail}>{memberDetail(member)}</Caption1>
    </span>
  );
}

/**
 * Search as you type over users, groups and service principals (by name,
 * UPN or mail, object id or application id); look-alikes are flagged.
 */
export function MemberPicker({ selected, onChange }: { selected: MemberView[]; onChange: (m: MemberView[]) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [text, setText] = useState("");
  const search = useDebouncedSearch(text, (query) => backend.searchMembers(query), 250, [backend]);
  const found: MemberView[] | null = search.results;
  const busy = search.busy;
  const problem: Problem | null = search.error;

  const chosen = (m: MemberView) => selected.some((s) => s.id === m.id);
  // Arrow keys: from the search box into the results, and through them
  // (Fluent's arrow navigation group); after Add, back to the search box
  // for the next person.
  const searchRef = useRef<HTMLInputElement>(null);
  const resultsRef = useRef<HTMLUListElement>(null);
  const arrows = useArrowNavigationGroup({ axis: "vertical", circular: true });
  const intoResults = (e: React.KeyboardEvent) => {
    if (e.key !== "ArrowDown") return;
    const first = resultsRef.current?.querySelector<HTMLButtonElement>("button:not([disabled])");
    if (first) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div className={styles.section}>
      <SearchBox
        placeholder="Name, UPN or mail, object id or application id"
        aria-label="Search members"
        data-testid="member-search"
        style={{ width: "100%", maxWidth: "640px" }}
        value={text}
        onChange={(_, d) => setText(d.value)}
        input={{ ref: searchRef }}
        onKeyDown={intoResults}
      />
      {busy && <Spinner size="tiny" label="Searching…" />}
      <ErrorBar problem={problem} />
      {found && (
        <ul className={styles.list} aria-label="Search results" ref={resultsRef} {...arrows}>
          {found.length === 0 && (
            <li>
              <Caption1>Nobody matches “{text}”. Try an object id, an application id or a UPN.</Caption1>
            </li>
          )}
          {found.map((m) => (
            <li key={m.id} className={styles.row}>
              <div>
                <MemberLine member={m} />
                {m.warning && (
                  <MessageBar intent="warning" data-testid="member-warning">
                    <MessageBarBody>{m.warning}</MessageBarBody>
                  </MessageBar>
                )}
              </div>
              <Button
                disabled={chosen(m)}
                aria-label={`Add ${m.displayName}`}
                data-testid={`add-${m.displayName}`}
                onClick={() => {
                  onChange([...selected, m]);
                  searchRef.current?.focus();
                }}
              >
                {chosen(m) ? "Added" : "Add"}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <Text weight="semibold">Selected members ({selected.length})</Text>
      <ul className={styles.list} aria-label="Selected members">
        {selected.map((m) => (
          <li key={m.id} className={styles.row}>
            <MemberLine member={m} />
            <Button
              appearance="subtle"
              icon={<DismissRegular />}
              aria-label={`Remove ${m.displayName}`}
              onClick={() => onChange(selected.filter((s) => s.id !== m.id))}
            />
          </li>
        ))}
      </ul>
    </div>
  );
}
