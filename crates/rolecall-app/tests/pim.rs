//! A person's own side of PIM against the emulator: Carlos (eligible for
//! Contributor on the gateway's resource group in the demo) activates it for
//! the longest the role allows, holds access while it runs, and ends it.

use rolecall_app::pim::{Activate, activate, deactivate};
use rolecall_testkit::*;

async fn may_deploy(azure: &rolecall_azure::Azure, scope: &str) -> bool {
    // Without any role there ARM does not even show him the subscription.
    rolecall_grants::plan::rights(
        azure,
        [scope.to_owned()],
        "Microsoft.Resources/deployments/write",
    )
    .await
    .map(|r| r[&scope.to_ascii_lowercase()])
    .unwrap_or(false)
}

#[tokio::test]
async fn an_eligible_person_activates_holds_access_and_ends_it() {
    let world = World::demo().await;
    let carlos = world.azure_as(CARLOS, &Default::default()).await;
    // Carlos reads nothing there before he activates: Olivia looks.
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let ask = Activate {
        scope: rg.clone(),
        role: "Contributor".into(),
        duration: None,
        justification: Some("Gateway incident 4711".into()),
        ticket: None,
    };
    assert!(!may_deploy(&carlos, &rg).await);
    // Not eligible at the subscription: ARM refuses, nothing is made.
    let elsewhere = activate(
        &carlos,
        &Activate {
            scope: voice(),
            ..ask.clone()
        },
    )
    .await
    .unwrap_err();
    assert!(
        olivia.arm.activations(&voice()).await.unwrap().is_empty(),
        "{elsewhere:?}"
    );

    let made = activate(&carlos, &ask).await.unwrap();
    // The longest the demo's policy allows for an activation.
    assert_eq!(made.duration, "PT8H");
    assert_eq!(made.status, "Provisioned");
    assert!(made.request_id.is_some());
    assert_eq!(olivia.arm.activations(&rg).await.unwrap().len(), 1);
    // Access while it runs: ARM's own evaluation says he may deploy there.
    assert!(may_deploy(&carlos, &rg).await);

    // Past PIM's five minutes he ends it; access ends with it.
    world.age_pim_schedules();
    deactivate(&carlos, &rg, "Contributor").await.unwrap();
    assert!(olivia.arm.activations(&rg).await.unwrap().is_empty());
    assert!(!may_deploy(&carlos, &rg).await);
}
