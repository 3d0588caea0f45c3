import { describe, expect, it } from "vitest";
import { memberDetail } from "./MemberPicker";

describe("a member's detail line", () => {
  it("joins what there is, with no separator before nothing", () => {
    const group = { id: "g1", kind: "Group" as const, displayName: "ACG Operators", detail: "", warning: "", label: "" };
    expect(memberDetail(group)).toBe("object id g1");
    expect(memberDetail({ ...group, kind: "User", detail: "nadia@contoso" })).toBe("nadia@contoso · object id g1");
    expect(memberDetail({ ...group, kind: "ServicePrincipal", detail: "8502a0ec" })).toBe("application id 8502a0ec · object id g1");
  });
});
