import {
  Text,
} from "@fluentui/react-components";
import type { ScopeNode } from "../../../bindings";
import { ScopePicker } from "../../../components/ScopePicker";

export function ScopesStep({ scopes, onChange }: { scopes: string[]; onChange: (s: string[]) => void }) {
  const selected: ScopeNode[] = scopes.map((id) => ({
    id,
    name: id.split("/").pop() ?? id,
    kind: id.toLowerCase().includes("/resourcegroups/") ? "ResourceGroup" : "Subscription",
    detail: "",
  }));
  return (
    <div>
      <Text>Where the role may be assigned. Your right to write roles is checked at each in Review + create.</Text>
      <ScopePicker selected={selected} onChange={(nodes) => onChange(nodes.map((n) => n.id))} />
    </div>
  );
}
