#!/usr/bin/env python3
"""The real Azure CLI against Rolecall's emulator: the judge of its fidelity.

Run by `cargo xtask azure-cli`, which builds the emulator, makes (once) a
virtual environment outside the repository with azure-cli from PyPI, and
passes in the environment:
  ROLECALL_EMULATOR  the emulator binary
  AZ                 the az command of that environment
  WORK               an empty scratch folder (az's config, the CA, logs)

The emulator is registered as a custom cloud (`az cloud register
--skip-endpoint-discovery`, `REQUESTS_CA_BUNDLE` = its CA, instance discovery
off). az signs in by browser (BROWSER = tests/azure-cli/browser.py, which
picks a user on the emulator's page), by device code and as a service
principal, then runs the commands admins run. Each check prints PASS or FAIL
with what az said; the exit status is the number of failures.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.environ["ROLECALL_EMULATOR"]
AZ = os.environ["AZ"]
WORK = os.environ["WORK"]
SECRET = "rc8Q~azure-cli-check-secret-0123456789ab"
DOMAIN = "contosodemo.onmicrosoft.com"
ADMIN = f"olivia.owner@{DOMAIN}"
ACG_APP_ID = "8502a0ec-c76d-412f-836c-398018e2312b"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"

results = []


def start_emulator():
    profile_path = os.path.join(WORK, "profile.json")
    log = open(os.path.join(WORK, "emulator.log"), "w")
    process = subprocess.Popen(
        [EMULATOR, "--app-secret", SECRET, "--profile-out", profile_path],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, "ROLECALL_LOG": "rolecall_emulator=debug"},
    )
    for _ in range(300):
        if os.path.exists(profile_path):
            with open(profile_path) as f:
                return process, json.load(f)
        if process.poll() is not None:
            sys.exit(f"the emulator stopped (status {process.returncode}); see {log.name}")
        time.sleep(0.1)
    sys.exit("the emulator did not write its profile within 30 s")


def az_env(ca_file):
    env = dict(os.environ)
    env.update(
        {
            "AZURE_CONFIG_DIR": os.path.join(WORK, "az"),
            "REQUESTS_CA_BUNDLE": ca_file,
            "AZURE_CORE_INSTANCE_DISCOVERY": "false",
            "AZURE_CORE_COLLECT_TELEMETRY": "false",
            "AZURE_CORE_LOGIN_EXPERIENCE_V2": "off",
            "AZURE_CORE_NO_COLOR": "true",
            "AZURE_CORE_SURVEY_MESSAGE": "false",
            # The person's browser: picks the admin on the emulator's page.
            "BROWSER": f"{sys.executable} {os.path.join(HERE, 'browser.py')} {ADMIN} %s",
        }
    )
    return env


def az(env, *args, timeout=120):
    done = subprocess.run(
        [AZ, *args, "--output", "json"] if args[0] not in ("cloud",) else [AZ, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done


def check(name, done, test=None):
    """Records one az command: it must end with status 0, and `test` (given
    its parsed output) must hold."""
    ok = done.returncode == 0
    detail = ""
    output = None
    if ok and done.stdout.strip():
        try:
            output = json.loads(done.stdout)
        except ValueError:
            output = done.stdout
    if ok and test is not None:
        try:
            problem = test(output)
        except Exception as error:  # a test that cannot read the output fails
            problem = f"{type(error).__name__}: {error}"
        if problem:
            ok = False
            detail = problem
    if not ok and not detail:
        detail = (done.stderr or done.stdout).strip().splitlines()[-8:]
        detail = "\n      ".join(detail)
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"\n      {detail}" if detail else ""), flush=True)
    return output


def device_code_login(env, browser_host, tenant):
    """`az login --use-device-code`: reads the code az prints, enters it on
    the emulator's device-login page as the admin, and waits for az."""
    process = subprocess.Popen(
        [AZ, "login", "--use-device-code", "--tenant", tenant, "--output", "json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []

    def read_code():
        for line in process.stderr:
            seen.append(line)
            match = re.search(r"enter the code ([A-Z0-9]+)", line)
            if match:
                form = urllib.parse.urlencode({"otc": match.group(1), "rolecall_user": ADMIN}).encode()
                urllib.request.urlopen(f"{browser_host}devicelogin", data=form, timeout=30).read()

    # stderr is the reader's (communicate() would read it too, and race it).
    reader = threading.Thread(target=read_code, daemon=True)
    reader.start()
    timer = threading.Timer(120, process.kill)
    timer.start()
    stdout = process.stdout.read()
    process.wait()
    timer.cancel()
    reader.join(timeout=5)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, "".join(seen))


def main():
    emulator, profile = start_emulator()
    try:
        run(profile)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    failed = [name for name, ok, _ in results if not ok]
    print(f"\nazure-cli {AZ_VERSION}: {len(results) - len(failed)} of {len(results)} checks passed")
    for name in failed:
        print(f"  failed: {name}")
    sys.exit(len(failed))


AZ_VERSION = "?"


def run(profile):
    global AZ_VERSION
    ca_file = os.path.join(WORK, "emulator-ca.pem")
    with open(ca_file, "w") as f:
        f.write(profile["caCertificatePem"])
    env = az_env(ca_file)
    tenant = profile["defaultTenant"]
    arm = profile["resourceManagerEndpoint"]
    graph = profile["graphEndpoint"]
    AZ_VERSION = json.loads(subprocess.run([AZ, "version"], env=env, capture_output=True, text=True).stdout)[
        "azure-cli"
    ]

    check(
        "az cloud register (custom cloud, no endpoint discovery)",
        az(
            env,
            "cloud", "register", "--name", "RolecallEmulator",
            "--endpoint-active-directory", profile["authorityHost"].rstrip("/"),
            "--endpoint-active-directory-resource-id", "https://management.core.windows.net/",
            "--endpoint-resource-manager", arm,
            "--endpoint-active-directory-graph-resource-id", graph,
            "--endpoint-microsoft-graph-resource-id", graph,
            "--skip-endpoint-discovery",
        ),
    )
    check("az cloud set", az(env, "cloud", "set", "--name", "RolecallEmulator"))

    # Sign-in: browser, device code, service principal; the browser last, so
    # the admin's account is the one the commands below run as.
    check(
        "az login --service-principal (client credentials)",
        az(env, "login", "--service-principal", "--username", demo_app_id("smtp-relay"), "--password", SECRET,
           "--tenant", tenant, "--allow-no-subscriptions"),
        lambda out: None if out and out[0]["user"]["type"] == "servicePrincipal" else f"not signed in as the app: {out}",
    )
    check(
        "az login --use-device-code",
        device_code_login(env, profile["browserAuthorityHost"], tenant),
        lambda out: None if any(s["user"]["name"] == ADMIN for s in out) else f"not signed in as {ADMIN}: {out}",
    )
    subs = check(
        "az login (browser, auth code + PKCE)",
        az(env, "login", "--tenant", tenant),
        lambda out: None if out and all(s["user"]["name"] == ADMIN for s in out) else f"unexpected accounts: {out}",
    )
    if not subs:
        return
    voice = next((s for s in subs if "Voice" in s["name"]), subs[0])
    check("az account set", az(env, "account", "set", "--subscription", voice["id"]))
    sub_scope = f"/subscriptions/{voice['id']}"
    group_scope = f"{sub_scope}/resourceGroups/rg-voice-gateway"

    # Reads.
    check("az group list", az(env, "group", "list"),
          lambda out: None if any(g["name"] == "rg-voice-gateway" for g in out) else "rg-voice-gateway missing")
    check("az resource list", az(env, "resource", "list"),
          lambda out: None if any(r["type"].lower() == "microsoft.voiceservices/communicationsgateways" for r in out)
          else "the Communications Gateway is missing")
    # Management groups take a role at a group or above: a Global
    # Administrator elevates first (as Microsoft documents), then sees the tree.
    check("az rest POST elevateAccess (Global Administrator)",
          az(env, "rest", "--method", "post",
             "--url", f"{arm}providers/Microsoft.Authorization/elevateAccess?api-version=2016-07-01"))
    check("az account management-group list", az(env, "account", "management-group", "list"),
          lambda out: None if {g["name"] for g in out} >= {"mg-platform", "mg-workloads"} else str(out))
    check("az account management-group show --expand --recurse",
          az(env, "account", "management-group", "show", "--name", tenant, "--expand", "--recurse"),
          lambda out: None if any(c["name"] == "mg-workloads" and any(s["name"] == voice["id"] for s in c["children"])
                                  for c in out["children"]) else str(out))
    check("az role assignment create at a management group",
          az(env, "role", "assignment", "create", "--role", "Reader",
             "--assignee", f"lars.eriksson@{DOMAIN}",
             "--scope", "/providers/Microsoft.Management/managementGroups/mg-workloads"),
          lambda out: None if out["scope"].endswith("/mg-workloads") else str(out))
    check("az ad user show", az(env, "ad", "user", "show", "--id", f"tom.baker@{DOMAIN}"),
          lambda out: None if out["userPrincipalName"] == f"tom.baker@{DOMAIN}" else str(out))
    check("az ad sp show --id <appId>", az(env, "ad", "sp", "show", "--id", ACG_APP_ID),
          lambda out: None if out["appId"] == ACG_APP_ID and out["displayName"] else str(out))

    # Custom roles: create, update, list, delete.
    role_name = "Rolecall az check reader"
    definition = {
        "Name": role_name,
        "Description": "Made by the Azure CLI check",
        "Actions": ["Microsoft.Resources/subscriptions/resourceGroups/read"],
        "NotActions": [],
        "DataActions": [],
        "NotDataActions": [],
        "AssignableScopes": [sub_scope],
    }
    created = check("az role definition create",
                    az(env, "role", "definition", "create", "--role-definition", json.dumps(definition)),
                    lambda out: None if out["roleName"] == role_name else str(out))
    if created:
        # `update` takes the role as `az role definition list` shows it.
        created["description"] = "Updated by the Azure CLI check"
        created["permissions"][0]["actions"].append("Microsoft.Support/supportTickets/read")
        check("az role definition update",
              az(env, "role", "definition", "update", "--role-definition", json.dumps(created)),
              lambda out: None if len(out["permissions"][0]["actions"]) == 2 else str(out))
    check("az role definition list --custom-role-only --name",
          az(env, "role", "definition", "list", "--custom-role-only", "true", "--name", role_name, "--scope", sub_scope),
          lambda out: None if len(out) == 1 and out[0]["description"].startswith("Updated") else str(out))

    # Role assignments by object id, UPN and application id.
    tom = check("az ad user show (object id for the assignment)",
                az(env, "ad", "user", "show", "--id", f"tom.baker@{DOMAIN}"))
    assignees = [
        ("object id", tom["id"] if tom else "missing", ["--assignee-object-id", tom["id"] if tom else "missing",
                                                         "--assignee-principal-type", "User"]),
        ("UPN", f"priya.shah@{DOMAIN}", ["--assignee", f"priya.shah@{DOMAIN}"]),
        ("application id", ACG_APP_ID, ["--assignee", ACG_APP_ID]),
    ]
    made = []
    for label, _, how in assignees:
        out = check(f"az role assignment create (by {label})",
                    az(env, "role", "assignment", "create", "--role", role_name, "--scope", group_scope, *how),
                    lambda out: None if out["scope"] == group_scope else str(out))
        if out:
            made.append(out["id"])
    check("az role assignment list --include-inherited (names filled in)",
          az(env, "role", "assignment", "list", "--scope", group_scope, "--include-inherited"),
          lambda out: None if len([a for a in out if a.get("roleDefinitionName") == role_name]) == len(made)
          and all(a.get("principalName") for a in out) and any(a["scope"] == sub_scope for a in out)
          else "assignments without names, or the inherited ones missing: "
          + json.dumps([(a.get("principalName"), a.get("roleDefinitionName"), a["scope"]) for a in out]))
    check("az role assignment list --assignee <UPN> --all",
          az(env, "role", "assignment", "list", "--assignee", f"priya.shah@{DOMAIN}", "--all"),
          lambda out: None if any(a.get("roleDefinitionName") == role_name for a in out) else str(out))
    if made:
        check("az role assignment delete --ids", az(env, "role", "assignment", "delete", "--ids", *made))
    check("az role definition delete",
          az(env, "role", "definition", "delete", "--name", role_name, "--scope", sub_scope))

    # An app role through az rest (as Microsoft's ACG procedure does).
    sp = check("az ad sp show (the gateway's service principal)", az(env, "ad", "sp", "show", "--id", ACG_APP_ID))
    if sp and tom:
        role = next(r for r in sp["appRoles"] if r["value"] == "ProvisioningAPI.ReadUser")
        check("az rest POST appRoleAssignedTo (app role)",
              az(env, "rest", "--method", "post",
                 "--url", f"{graph}v1.0/servicePrincipals/{sp['id']}/appRoleAssignedTo",
                 "--resource", graph,
                 "--body", json.dumps({"principalId": tom["id"], "resourceId": sp["id"], "appRoleId": role["id"]})),
              lambda out: None if out["appRoleId"] == role["id"] else str(out))


def demo_app_id(key):
    """The demo tenant's stable ids, as rolecall-emulator's seed makes them
    (`demo_id("app:…")`: UUID v5 in the seed's namespace)."""
    import uuid

    return str(uuid.uuid5(uuid.UUID("3c1d9b0e-6a57-4f0e-9d55-5b1f6f0a7c21"), f"app:{key}"))


if __name__ == "__main__":
    main()
