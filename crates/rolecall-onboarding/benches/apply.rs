//! A timed harness (not criterion: each sample is seconds of network time)
//! for issue #7's goals, against the emulator with 100 ms of latency injected
//! before every answer:
//!
//! 1. one full Azure Communications Gateway onboarding (every task, one
//!    person): the apply's wall time in round trips (goal: within 5);
//! 2. 200 people onboarded at once under the emulator's ARM write limits
//!    (Azure's per-subscription token bucket: 200, refilled 10 a second):
//!    the apply's wall time against the least time those limits allow
//!    (goal: within 10 %).
//!
//! 3. issue #17: one eligible, time-bound (90 days) ACG onboarding: the
//!    apply within 3 round trips, its preflight (the roles' PIM policies
//!    included) within 6;
//! 4. 200 people made eligible at once: within 10 % of the time ARM's
//!    write bucket allows.
//!
//! Run it with `cargo xtask bench` (it needs the OS keychain, as the tests).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rolecall_grants::runs::{self, RunOptions};
use rolecall_onboarding::{Limits, Request, builtin, prepare};
use rolecall_testkit::{OLIVIA, World, voice};

const LATENCY: Duration = Duration::from_millis(100);

fn gateway() -> String {
    format!(
        "{}/resourceGroups/rg-voice-gateway/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod",
        voice()
    )
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

#[tokio::main]
async fn main() {
    let world = World::new(rolecall_emulator::Options {
        faults: rolecall_emulator::Faults {
            latency: LATENCY,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let count = 200;
    let keys: Vec<String> = (0..count + 5).map(|n| format!("bench{n:03}")).collect();
    let pim_keys: Vec<String> = (0..count + 5).map(|n| format!("pim{n:03}")).collect();
    for key in &pim_keys {
        world.emulator.create_user(key, &format!("Eligible {key}"));
    }
    for key in &keys {
        world.emulator.create_user(key, &format!("Bench {key}"));
    }
    world
        .emulator
        .with_state(|s| s.directory.users.iter_mut().for_each(|u| u.created = None));
    let azure = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = Arc::new(
        rolecall_azure::catalogue::provider_operations(&azure.arm)
            .await
            .unwrap(),
    );
    let template = builtin().into_iter().find(|t| t.id == "acg-staff").unwrap();
    let options = RunOptions {
        catalogue: Some(catalogue.clone()),
        ..Default::default()
    };
    let upn = |key: &str| format!("{key}@contosodemo.onmicrosoft.com");
    let request = |people: Vec<String>| {
        Request::new(
            &template,
            Vec::new(),
            HashMap::from([("gateway".to_owned(), gateway())]),
            people,
        )
    };
    // Eligible for 90 days, with the justification the policy may ask.
    let eligible = |people: Vec<String>| {
        let mut r = request(people);
        r.terms.choice = rolecall_onboarding::Choice::Schedule(rolecall_grants::Schedule {
            eligible: true,
            duration: Some("P90D".into()),
            ..Default::default()
        });
        r.terms.justification = Some("Gateway rota".into());
        r
    };

    // 1. One person, every gateway task, five times (a new person each).
    println!(
        "one full ACG onboarding, {} ms latency per request",
        LATENCY.as_millis()
    );
    let mut applies = Vec::new();
    for key in &keys[count..] {
        let started = Instant::now();
        let proposal = prepare(
            &azure,
            &request(vec![upn(key)]),
            catalogue.clone(),
            &Limits::default(),
        )
        .await
        .unwrap();
        let prepared = started.elapsed();
        assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
        let started = Instant::now();
        let report = runs::execute(
            &azure,
            &proposal.to_run(),
            &options.clone().with_plan(proposal.plan.clone()),
            &|_| {},
        )
        .await
        .unwrap();
        let applied = started.elapsed();
        assert!(report.succeeded(), "{report:?}");
        println!(
            "  preflight + plan {} ({:.1} round trips); apply of {} writes {} ({:.1} round trips)",
            secs(prepared),
            prepared.as_secs_f64() / LATENCY.as_secs_f64(),
            proposal.writes(),
            secs(applied),
            applied.as_secs_f64() / LATENCY.as_secs_f64()
        );
        applies.push(applied);
    }
    applies.sort();
    let median = applies[applies.len() / 2];
    println!(
        "  median apply {} = {:.1} round trips (goal: within 5)",
        secs(median),
        median.as_secs_f64() / LATENCY.as_secs_f64()
    );

    // 3. One person, every task, eligible for 90 days.
    println!(
        "one eligible, time-bound ACG onboarding, {} ms latency per request",
        LATENCY.as_millis()
    );
    let (mut preflights, mut applies) = (Vec::new(), Vec::new());
    for key in &pim_keys[count..] {
        let started = Instant::now();
        let proposal = prepare(
            &azure,
            &eligible(vec![upn(key)]),
            catalogue.clone(),
            &Limits::default(),
        )
        .await
        .unwrap();
        let prepared = started.elapsed();
        assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
        assert!(!proposal.plan.policies.is_empty(), "the policies were read");
        let started = Instant::now();
        let report = runs::execute(
            &azure,
            &proposal.to_run(),
            &options.clone().with_plan(proposal.plan.clone()),
            &|_| {},
        )
        .await
        .unwrap();
        let applied = started.elapsed();
        assert!(report.succeeded(), "{report:?}");
        println!(
            "  preflight + plan {} ({:.1} round trips, {} PIM policies); apply of {} writes {} ({:.1} round trips)",
            secs(prepared),
            prepared.as_secs_f64() / LATENCY.as_secs_f64(),
            proposal.plan.policies.len(),
            proposal.writes(),
            secs(applied),
            applied.as_secs_f64() / LATENCY.as_secs_f64()
        );
        preflights.push(prepared);
        applies.push(applied);
    }
    preflights.sort();
    applies.sort();
    let rounds = |d: Duration| d.as_secs_f64() / LATENCY.as_secs_f64();
    println!(
        "  median preflight {:.1} round trips (goal: within 6); median apply {:.1} round trips (goal: within 3)",
        rounds(preflights[preflights.len() / 2]),
        rounds(applies[applies.len() / 2])
    );

    // 2. 200 people at once.
    let people: Vec<String> = keys[..count].iter().map(|k| upn(k)).collect();
    let started = Instant::now();
    let proposal = prepare(
        &azure,
        &request(people),
        catalogue.clone(),
        &Limits::default(),
    )
    .await
    .unwrap();
    let prepared = started.elapsed();
    assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
    let arm_writes = proposal
        .plan
        .to_create()
        .filter(|i| matches!(i.grant, rolecall_grants::Grant::AzureRole(_)))
        .count();
    // Let the buckets fill again after the plan's reads, as they would
    // between an admin's review and their click.
    tokio::time::sleep(Duration::from_secs(21)).await;
    world.emulator.reset_observed();
    let throttle = rolecall_emulator::Throttle::default();
    let (capacity, refill) = throttle.writes;
    let allowed = Duration::from_secs_f64(((arm_writes as f64 - capacity).max(0.0)) / refill);
    let started = Instant::now();
    let report = runs::execute(
        &azure,
        &proposal.to_run(),
        &options.clone().with_plan(proposal.plan.clone()),
        &|_| {},
    )
    .await
    .unwrap();
    let applied = started.elapsed();
    assert!(
        report.succeeded(),
        "{:?}",
        report
            .outcomes()
            .filter(|o| !o.is_success())
            .collect::<Vec<_>>()
    );
    let observed = world.emulator.observed();
    println!(
        "{count} people, every gateway task, ARM's write bucket {capacity} + {refill}/s per subscription"
    );
    println!(
        "  preflight + plan {}; apply of {} writes ({arm_writes} to ARM) {}; the limits allow it in {} at best; {:.0} % of that",
        secs(prepared),
        proposal.writes(),
        secs(applied),
        secs(allowed),
        100.0 * applied.as_secs_f64() / allowed.as_secs_f64().max(f64::EPSILON)
    );
    println!("  emulator saw: {observed:?}");

    // 4. 200 people made eligible at once.
    let people: Vec<String> = pim_keys[..count].iter().map(|k| upn(k)).collect();
    let started = Instant::now();
    let proposal = prepare(
        &azure,
        &eligible(people),
        catalogue.clone(),
        &Limits::default(),
    )
    .await
    .unwrap();
    let prepared = started.elapsed();
    assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
    let arm_writes = proposal
        .plan
        .to_create()
        .filter(|i| matches!(i.grant, rolecall_grants::Grant::AzureRole(_)))
        .count();
    tokio::time::sleep(Duration::from_secs(21)).await;
    world.emulator.reset_observed();
    let allowed = Duration::from_secs_f64(((arm_writes as f64 - capacity).max(0.0)) / refill);
    let started = Instant::now();
    let report = runs::execute(
        &azure,
        &proposal.to_run(),
        &options.clone().with_plan(proposal.plan.clone()),
        &|_| {},
    )
    .await
    .unwrap();
    let applied = started.elapsed();
    assert!(
        report.succeeded(),
        "{:?}",
        report
            .outcomes()
            .filter(|o| !o.is_success())
            .collect::<Vec<_>>()
    );
    println!("{count} people made eligible for 90 days, every gateway task");
    println!(
        "  preflight + plan {}; apply of {} writes ({arm_writes} PIM requests to ARM) {}; the limits allow it in {} at best; {:.0} % of that",
        secs(prepared),
        proposal.writes(),
        secs(applied),
        secs(allowed),
        100.0 * applied.as_secs_f64() / allowed.as_secs_f64().max(f64::EPSILON)
    );
    println!("  emulator saw: {:?}", world.emulator.observed());
}
