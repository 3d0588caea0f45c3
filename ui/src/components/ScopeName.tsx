import { useEffect, useState } from "react";
import { Button, Tooltip, makeStyles, tokens } from "@fluentui/react-components";
import { CopyRegular } from "@fluentui/react-icons";
import type { GrantView, PlaceView, ScopeKind } from "../bindings";
import { useBackend, type Backend } from "../backend";
import { useSessionIfAny } from "../session";
import { describeSchedule } from "./AssignmentType";

const useStyles = makeStyles({
  scope: { overflowWrap: "anywhere" },
  muted: { color: tokens.colorNeutralForeground3 },
  copy: { minWidth: "auto", verticalAlign: "middle" },
});

const KIND: Record<ScopeKind, string> = {
  ManagementGroup: "management group",
  Subscription: "subscription",
  ResourceGroup: "resource group",
  Resource: "resource",
};

/**
 * The estate's places by lowercased id, read once per backend and signed-in
 * tenant (the same read the scope picker's search uses), so ids can be shown
 * as names everywhere without a request per row.
 */
const cache = new WeakMap<object, Map<string, { read: Promise<Map<string, PlaceView>>; at: number }>>();

/** How old a read of the estate may be before a scope it lacks makes it read again. */
const STALE_AFTER_MS = 15_000;

function places(backend: Backend, key: string, fresher = false): Promise<Map<string, PlaceView>> {
  let byKey = cache.get(backend);
  if (!byKey) {
    byKey = new Map();
    cache.set(backend, byKey);
  }
  let found = byKey.get(key);
  if (found && fresher && Date.now() - found.at > STALE_AFTER_MS) found = undefined;
  if (!found) {
    const read = backend.listEstate().then(
      (r) => new Map(r.status === "ok" ? r.data.map((p) => [p.node.id.toLowerCase(), p] as const) : []),
      () => new Map<string, PlaceView>(),
    );
    const entry = { read, at: Date.now() };
    // A failed read is not kept: the next screen asks again.
    void read.then((m) => m.size === 0 && byKey!.get(key) === entry && byKey!.delete(key));
    byKey.set(key, entry);
    found = entry;
  }
  return found.read;
}

/** `name · kind · parents` for an ARM scope id, when the estate knows it. */
export function describeScope(id: string, place: PlaceView | undefined): string {
  if (place) {
    const kind = place.node.kind === "Resource" ? place.node.detail.split("/").pop() || KIND.Resource : KIND[place.node.kind];
    return [place.node.name, kind, ...place.within.slice().reverse()].join(" · ");
  }
  if (id === "/") return "the whole tenant (root)";
  const group = /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)$/i.exec(id);
  if (group) return `${group[1]} · management group`;
  return id;
}

/** Looks up scope ids in the signed-in tenant's estate (ids as they are until it is read). */
export function useScopeNames(): (id: string) => string {
  const backend = useBackend();
  const session = useSessionIfAny()?.session;
  const key = `${session?.active?.accountId ?? ""}|${session?.active?.tenantId ?? ""}`;
  const [known, setKnown] = useState<Map<string, PlaceView> | null>(null);
  // A scope the estate lacks (a group just made readable, a resource just
  // created) makes an older read be made again, once per screen.
  const [missed, setMissed] = useState(false);
  useEffect(() => {
    let live = true;
    void places(backend, key, missed).then((m) => live && setKnown(m));
    return () => {
      live = false;
    };
  }, [backend, key, missed]);
  return (id: string) => {
    const place = known?.get(id.toLowerCase());
    if (known && !place && !missed && id !== "/" && id.startsWith("/")) queueMicrotask(() => setMissed(true));
    return describeScope(id, place);
  };
}

/** Copies `text` to the clipboard: ids are for support and the portal, not for reading. */
export function CopyId({ id, what }: { id: string; what: string }) {
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  return (
    <Tooltip content={copied ? "Copied" : id} relationship="description">
      <Button
        size="small"
        appearance="transparent"
        className={styles.copy}
        icon={<CopyRegular />}
        aria-label={`Copy the id of ${what}`}
        onClick={() => {
          void navigator.clipboard?.writeText(id).then(() => setCopied(true));
        }}
      />
    </Tooltip>
  );
}

/** A scope as a person reads it (name, kind, where it is), its id on hover and to copy. */
export function ScopeName({ id, copy = true }: { id: string; copy?: boolean }) {
  const styles = useStyles();
  const name = useScopeNames()(id);
  return (
    <span className={styles.scope} title={id} data-scope-id={id}>
      {name}
      {copy && name !== id && <CopyId id={id} what={name.split(" · ")[0]!} />}
    </span>
  );
}

/** A grant in words, with names instead of ids; the ids stay on hover and to copy. */
export function GrantText({ grant }: { grant: GrantView }) {
  const styles = useStyles();
  if (grant.type === "AzureRole") {
    const m = grant.member;
    return (
      <span>
        {grant.roleName} for {m.displayName}
        {m.detail && <span className={styles.muted}> ({m.detail})</span>} at <ScopeName id={grant.scope} />
        {grant.schedule && <span data-testid="grant-schedule">, {describeSchedule(grant.schedule)}</span>}
      </span>
    );
  }
  const m = grant.member;
  return (
    <span>
      {grant.appRoleValue} of <span title={`Application id ${grant.appId}`}>{grant.resourceName}</span> for{" "}
      {m.displayName}
      {m.detail && <span className={styles.muted}> ({m.detail})</span>}
    </span>
  );
}

/** ARM scope ids inside a sentence (a trailing full stop is the sentence's). */
const SCOPE_IN_TEXT = /\/subscriptions\/[0-9a-fA-F-]{36}(?:\/[^\s,;:()"']+)*/g;

/** A sentence from the backend with every scope id in it shown by name (the id on hover). */
export function TextWithScopes({ text }: { text: string }) {
  const names = useScopeNames();
  const parts: (string | { id: string })[] = [];
  let last = 0;
  for (const match of text.matchAll(SCOPE_IN_TEXT)) {
    let id = match[0];
    while (id.endsWith(".")) id = id.slice(0, -1);
    parts.push(text.slice(last, match.index), { id });
    last = match.index + id.length;
  }
  parts.push(text.slice(last));
  return (
    <>
      {parts.map((p, i) =>
        typeof p === "string" ? (
          p
        ) : (
          <span key={i} title={p.id} data-scope-id={p.id}>
            {names(p.id)}
          </span>
        ),
      )}
    </>
  );
}
