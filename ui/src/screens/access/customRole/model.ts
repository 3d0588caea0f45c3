// The custom role being written, as the wizard holds it, and its JSON.

export type Block = { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] };

export type DraftModel = { roleName: string; description: string; assignableScopes: string[]; permissions: Block[] };

export type ListKey = keyof Block;

export const EMPTY: DraftModel = {
  roleName: "",
  description: "",
  assignableScopes: [],
  permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [] }],
};

export const LISTS: { key: ListKey; label: string }[] = [
  { key: "actions", label: "Actions" },
  { key: "notActions", label: "Excluded actions (NotActions)" },
  { key: "dataActions", label: "Data actions" },
  { key: "notDataActions", label: "Excluded data actions (NotDataActions)" },
];

export const toJson = (d: DraftModel) => JSON.stringify({ properties: d }, null, 2);

export function fromJson(text: string): DraftModel {
  const value = JSON.parse(text) as { properties?: Partial<DraftModel> } & Partial<DraftModel>;
  const p = value.properties ?? value;
  const blocks = (p.permissions ?? []).map((b) => ({
    actions: b.actions ?? [],
    notActions: b.notActions ?? [],
    dataActions: b.dataActions ?? [],
    notDataActions: b.notDataActions ?? [],
  }));
  return {
    roleName: p.roleName ?? "",
    description: p.description ?? "",
    assignableScopes: p.assignableScopes ?? [],
    permissions: blocks.length ? blocks : EMPTY.permissions,
  };
}

export type Step = "basics" | "permissions" | "scopes" | "json" | "review";

export const STEPS: { id: Step; label: string }[] = [
  { id: "basics", label: "Basics" },
  { id: "permissions", label: "Permissions" },
  { id: "scopes", label: "Assignable scopes" },
  { id: "json", label: "JSON" },
  { id: "review", label: "Review + create" },
];

/** Where an issue's `field` points in the permissions (`permissions[0].actions[2]`), if it does. */
export type PatternAt = { block: number; key: ListKey; index: number };

export function patternAt(field: string): PatternAt | null {
  const m = /^permissions\[(\d+)\]\.(actions|notActions|dataActions|notDataActions)\[(\d+)\]$/.exec(field);
  return m ? { block: Number(m[1]), key: m[2] as ListKey, index: Number(m[3]) } : null;
}

/** The pattern at `at` in `draft`, if it is there. */
export const patternIn = (draft: DraftModel, at: PatternAt): string | undefined => draft.permissions[at.block]?.[at.key][at.index];

/** `draft` without the pattern at `at`. */
export function withoutPattern(draft: DraftModel, at: PatternAt): DraftModel {
  return {
    ...draft,
    permissions: draft.permissions.map((b, n) => (n === at.block ? { ...b, [at.key]: b[at.key].filter((_, i) => i !== at.index) } : b)),
  };
}
