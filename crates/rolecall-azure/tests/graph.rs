//! The Graph client against the emulator: the admin and their directory
//! roles, search, the enterprise application pinned by application id,
//! app-role assignments, paging and Graph's errors.

use futures::TryStreamExt;
use rolecall_azure::graph::role_templates;
use rolecall_azure::{AzureError, Kind, Options};
use rolecall_emulator::{ACG_APP_ID, demo_id};
use rolecall_testkit::*;

#[tokio::test]
async fn the_admin_their_roles_and_search() {
    let world = World::demo().await;
    let carlos = world.azure_as(CARLOS, &Options::default()).await;
    let me = carlos.graph.me().await.unwrap();
    assert_eq!(me.user_principal_name, CARLOS);
    let roles: Vec<_> = carlos
        .graph
        .my_directory_roles()
        .try_collect()
        .await
        .unwrap();
    assert!(
        roles
            .iter()
            .any(|r| r.role_template_id == role_templates::CLOUD_APPLICATION_ADMINISTRATOR)
    );

    // $search needs ConsistencyLevel: eventual, which the client sends.
    let found: Vec<_> = carlos
        .graph
        .search_users("nad", 10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].display_name, "Nadia Novak");
    let synergy: Vec<_> = carlos
        .graph
        .search_service_principals("Project", 10)
        .try_collect()
        .await
        .unwrap();
    assert!(
        synergy.iter().all(|s| s.app_id != ACG_APP_ID),
        "the look-alike is another app"
    );
    // A word inside a name made of words run together is found, as Graph
    // splits names at case changes: "gateway" finds the gateway's application.
    let gateway: Vec<_> = carlos
        .graph
        .search_service_principals("gateway", 10)
        .try_collect()
        .await
        .unwrap();
    assert!(
        gateway.iter().any(|s| s.app_id == ACG_APP_ID),
        "{gateway:?}"
    );
    // A quote in the text is escaped, not an injection into the query.
    let odd: Vec<_> = carlos
        .graph
        .search_groups("a\"b", 10)
        .try_collect()
        .await
        .unwrap();
    assert!(odd.is_empty());
}

#[tokio::test]
async fn app_roles_of_the_gateway_pinned_by_application_id() {
    let world = World::demo().await;
    let carlos = world
        .azure_as(
            CARLOS,
            &Options {
                graph_page_size: Some(2),
                ..Options::default()
            },
        )
        .await;
    let acg = carlos
        .graph
        .service_principal_by_app_id(ACG_APP_ID)
        .await
        .unwrap()
        .expect("the gateway's enterprise application");
    assert_eq!(acg.display_name, "AzureCommunicationsGateway");
    let read = acg
        .app_roles
        .iter()
        .find(|r| r.value.as_deref() == Some("ProvisioningAPI.ReadUser"))
        .unwrap();

    let people = [
        "nadia.novak",
        "tom.baker",
        "priya.shah",
        "lars.eriksson",
        "mei.chen",
    ];
    for key in people {
        carlos
            .graph
            .assign_app_role(&acg.id, &user(key), &read.id)
            .await
            .unwrap();
    }
    // A duplicate is "already exists", which an idempotent apply counts as done.
    let duplicate = carlos
        .graph
        .assign_app_role(&acg.id, &user("nadia.novak"), &read.id)
        .await
        .unwrap_err();
    assert_eq!(duplicate.kind(), Some(Kind::AlreadyExists), "{duplicate}");
    assert_eq!(duplicate.code(), "Request_BadRequest");

    // Listed across pages of two (@odata.nextLink).
    world.emulator.reset_observed();
    let holders: Vec<_> = carlos
        .graph
        .app_role_assigned_to(&acg.id)
        .try_collect()
        .await
        .unwrap();
    let mine: Vec<_> = holders
        .iter()
        .filter(|a| people.iter().any(|k| a.principal_id == user(k)))
        .collect();
    assert_eq!(mine.len(), people.len());
    assert!(
        world.emulator.observed().requests >= 3,
        "three pages at least"
    );

    let nadia = mine
        .iter()
        .find(|a| a.principal_id == user("nadia.novak"))
        .unwrap();
    let removed = carlos
        .graph
        .remove_app_role_assignment(&acg.id, &nadia.id)
        .await
        .unwrap()
        .expect("removed");
    // Graph's request id of the delete, for the report.
    assert!(
        removed
            .request_id
            .as_deref()
            .is_some_and(|id| !id.is_empty()),
        "{removed:?}"
    );
    assert_eq!(
        carlos
            .graph
            .remove_app_role_assignment(&acg.id, &nadia.id)
            .await
            .unwrap(),
        None
    );

    // Search pages too, and stops at the limit asked for.
    let some: Vec<_> = carlos
        .graph
        .search_users("a", 3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(some.len(), 3);
}

#[tokio::test]
async fn graph_errors_keep_graphs_code_and_say_what_to_do() {
    let world = World::demo().await;
    let rita = world.azure_as(RITA, &Options::default()).await;
    let acg = demo_id("sp:acg");
    let error = rita
        .graph
        .assign_app_role(
            &acg,
            &user("nadia.novak"),
            &uuid::Uuid::new_v4().to_string(),
        )
        .await
        .unwrap_err();
    let text = error.to_string();
    let AzureError::Api(api) = error else {
        panic!("{text}")
    };
    assert_eq!(
        (api.code.as_str(), api.kind),
        ("Authorization_RequestDenied", Kind::Forbidden)
    );
    assert!(
        api.what_to_do.contains("Cloud Application Administrator"),
        "{text}"
    );
    assert!(api.request_id.is_some(), "Graph's request-id is kept");

    let missing = uuid::Uuid::new_v4().to_string();
    assert_eq!(rita.graph.service_principal(&missing).await.unwrap(), None);
    assert_eq!(rita.graph.user(&missing).await.unwrap(), None);
    // A guest's UPN holds '#': the whole name is one path segment.
    let domain = &world.emulator.tenant().default_domain;
    let guest = rita
        .graph
        .user(&format!("sam.partner_fabrikam.com#EXT#@{domain}"))
        .await
        .unwrap()
        .expect("the guest, found by UPN");
    assert_eq!(guest.display_name, "Sam Partner (Fabrikam)");
    // A name that climbs out of users/ does not read the admin's own user:
    // it stays one (unknown) name.
    let climbing = rita.graph.user(&format!("x@{domain}/../../me")).await;
    assert!(
        !matches!(&climbing, Ok(Some(_))),
        "read a user through a climbing name: {climbing:?}"
    );
    assert_eq!(
        rita.graph
            .service_principal_by_app_id(&missing)
            .await
            .unwrap(),
        None
    );
}
