//! The live catalogue: Azure's full provider operations and built-in roles,
//! served by the emulator from the shared reference, read through ARM into
//! the engine, agree with the files themselves.

use rolecall_azure::Options;
use rolecall_rbac::catalogue::shared_reference_dir;
use rolecall_rbac::{ActionKind, Catalogue};
use rolecall_testkit::*;

#[tokio::test]
async fn the_live_catalogue_matches_the_reference() {
    let reference = shared_reference_dir();
    let world = World::new(rolecall_emulator::Options {
        reference: Some(reference.clone()),
        ..Default::default()
    })
    .await;
    let azure = world.azure_as(OLIVIA, &Options::default()).await;

    let live = rolecall_azure::catalogue::provider_operations(&azure.arm)
        .await
        .unwrap();
    let files = Catalogue::load_dir(&reference.join("provider-operations")).unwrap();
    assert_eq!(live.listed(), 24_680);
    assert_eq!(live.len(), files.len());
    assert_eq!(
        live.expand("Microsoft.Support/*", ActionKind::Action).len(),
        files
            .expand("Microsoft.Support/*", ActionKind::Action)
            .len()
    );

    let roles = rolecall_azure::catalogue::role_definitions(&azure.arm, &voice())
        .await
        .unwrap();
    let builtin = roles.iter().filter(|r| !r.is_custom()).count();
    assert_eq!(builtin, 928);
    let support = roles
        .iter()
        .find(|r| r.role_name() == "Support Request Contributor")
        .unwrap();
    assert!(support.allows("Microsoft.Support/supportTickets/write", ActionKind::Action));
}

#[tokio::test]
async fn the_demo_catalogue_loads_live_and_searches() {
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &Options::default()).await;
    let live = rolecall_azure::catalogue::provider_operations(&azure.arm)
        .await
        .unwrap();
    let found: Vec<_> = live
        .search("communication", Some(ActionKind::Action), 50)
        .into_iter()
        .map(|o| o.name.clone())
        .collect();
    assert!(
        found.contains(&"Microsoft.Communication/CommunicationServices/Read".to_owned()),
        "{found:?}"
    );
}
