//! `doctor`, `cloud`, `login`, `accounts`, `whoami`, `logout`, `complete-sign-in`.

use std::time::Duration;

use rolecall_core::{discovery, http};
use serde_json::json;

use crate::args::*;
use crate::context::*;

pub(crate) async fn cloud(ctx: &Ctx<'_>) -> anyhow::Result<()> {
    let tenant = &ctx.tenant;
    ctx.printer().show(&ctx.cloud, |cloud| {
        println!("{}", cloud.name);
        println!("  authority:        {}", cloud.authority_host);
        println!("  resource manager: {}", cloud.resource_manager_endpoint);
        println!("  graph:            {}", cloud.graph_endpoint);
        println!("  tenant:           {tenant}");
        let ca = if cloud.ca_certificate_pem.is_some() {
            "its own (custom cloud)"
        } else {
            "system roots"
        };
        println!("  trusts:           {ca}");
        Ok(())
    })
}

pub(crate) async fn login(ctx: &Ctx<'_>, args: &LoginArgs) -> anyhow::Result<()> {
    let (cli, cloud, tenant) = (ctx.cli, &ctx.cloud, &ctx.tenant);
    let LoginArgs {
        browser_command,
        timeout,
        device_code,
    } = args;
    let accounts = accounts_for(cli, cloud, http::client_for(cloud)?)?;
    let timeout = Duration::from_secs(*timeout);
    let info = if *device_code {
        let (prompt, session) = accounts.start_device_code(tenant).await?;
        eprintln!("{}", prompt.message);
        accounts.finish_device_code(&session, timeout).await?
    } else {
        accounts
            .sign_in_interactive(tenant, opener(browser_command.clone()), timeout)
            .await?
    };
    ctx.printer().show(&info, |info| {
        println!(
            "signed in as {} ({}) in tenant {}",
            info.display_name, info.username, info.tenant_id
        );
        Ok(())
    })?;
    Ok(())
}

pub(crate) async fn accounts(ctx: &Ctx<'_>) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let accounts = accounts_for(cli, cloud, http::client_for(cloud)?)?;
    let all = accounts.list()?;
    ctx.printer().show(&all, |all| {
        if all.is_empty() {
            println!("no account is signed in on this computer");
        } else {
            for a in all {
                let state = if accounts.has_session(&a.id)? {
                    ""
                } else {
                    "  (sign in again)"
                };
                println!(
                    "{}  {}  tenant {}{state}",
                    a.username, a.display_name, a.tenant_id
                );
            }
        };
        Ok(())
    })?;
    Ok(())
}

pub(crate) async fn whoami(ctx: &Ctx<'_>, args: &WhoamiArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let WhoamiArgs { who } = args;
    let (info, azure) = connect(cli, cloud, who).await?;
    let me = azure.graph.me().await?;
    ctx.printer().show(&json!({"account": info, "graph": {"id": me.id, "userPrincipalName": me.user_principal_name, "displayName": me.display_name}}), |_| {
        println!(
            "{} ({}), object id {}",
            me.display_name, me.user_principal_name, me.id
        );
        Ok(())
    })?;
    Ok(())
}

pub(crate) async fn logout(ctx: &Ctx<'_>, args: &LogoutArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let LogoutArgs { account, all } = args;
    let accounts = accounts_for(cli, cloud, http::client_for(cloud)?)?;
    if *all {
        accounts.sign_out_everywhere()?;
        println!("signed out of every account on this computer");
    } else {
        let info = pick_account(&accounts, account.as_deref())?;
        accounts.sign_out(&info.id)?;
        println!("signed out {}", info.username);
    }
    Ok(())
}

pub(crate) async fn complete_sign_in(
    ctx: &Ctx<'_>,
    args: &CompleteSignInArgs,
) -> anyhow::Result<()> {
    let cloud = &ctx.cloud;
    let CompleteSignInArgs { url, as_user } = args;
    // Trust the cloud's CA like every other call, but do not follow the
    // redirect to the loopback with that client: it is plain HTTP.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    let client = match &cloud.ca_certificate_pem {
        Some(pem) => client.tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes())?]),
        None => client,
    }
    .build()?;
    let answer = match as_user {
        // The page's form posts the request's own parameters and the choice.
        Some(user) => {
            let page = url::Url::parse(url)?;
            let mut form: Vec<(String, String)> = page.query_pairs().into_owned().collect();
            form.push(("rolecall_user".into(), user.clone()));
            let mut action = page.clone();
            action.set_query(None);
            client.post(action).form(&form).send().await?
        }
        None => client.get(url.as_str()).send().await?,
    };
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the authority answered {} without a redirect: it wants a person at a browser",
                answer.status()
            )
        })?
        .to_owned();
    if !location.starts_with("http://localhost:") {
        anyhow::bail!("refusing to follow a redirect that is not to the loopback: {location}");
    }
    reqwest::Client::new().get(location).send().await?;
    Ok(())
}

pub(crate) async fn doctor(ctx: &Ctx<'_>) -> anyhow::Result<()> {
    let (cloud, tenant) = (&ctx.cloud, &ctx.tenant);
    let client = http::client_for(cloud)?;
    let found = discovery::discover(&client, cloud, tenant).await?;
    let millis = found.elapsed.as_millis();
    ctx.printer().show(
        &json!({
            "cloud": cloud.name,
            "tenant": tenant,
            "issuer": found.configuration.issuer,
            "elapsedMs": millis,
        }),
        |_| {
            println!(
                "ok: {} answered for tenant {tenant} in {millis} ms (issuer {})",
                cloud.name, found.configuration.issuer
            );
            Ok(())
        },
    )?;
    Ok(())
}
