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

    let run = Run {
        azure: &azure,
        catalogue: &catalogue,
        options: &options,
    };

    // 1. One person, every gateway task, five times (a new person each).
    println!(
        "one full ACG onboarding, {} ms latency per request",
        LATENCY.as_millis()
    );
    let (_, applies) = run
        .one_by_one(keys[count..].iter().map(|k| request(vec![upn(k)])))
        .await;
    println!(
        "  median apply {} = {:.1} round trips (goal: within 5)",
        secs(median(&applies)),
        rounds(median(&applies))
    );

    // 3 (issue #17), on the same small tenant: one person, every task,
    // eligible for 90 days.
    println!(
        "one eligible, time-bound ACG onboarding, {} ms latency per request",
        LATENCY.as_millis()
    );
    let (preflights, applies) = run
        .one_by_one(pim_keys[count..].iter().map(|k| eligible(vec![upn(k)])))
        .await;
    println!(
        "  median preflight {:.1} round trips (goal: within 6); median apply {:.1} round trips (goal: within 3)",
        rounds(median(&preflights)),
        rounds(median(&applies))
    );

    // 2. 200 people at once.
    println!("{count} people, every gateway task");
    run.at_once(
        &world,
        request(keys[..count].iter().map(|k| upn(k)).collect()),
    )
    .await;

    // 4. 200 people made eligible at once.
    println!("{count} people made eligible for 90 days, every gateway task");
    run.at_once(
        &world,
        eligible(pim_keys[..count].iter().map(|k| upn(k)).collect()),
    )
    .await;
}

fn rounds(d: Duration) -> f64 {
    d.as_secs_f64() / LATENCY.as_secs_f64()
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// What every section shares: the signed-in admin, the catalogue, the
/// run's options.
struct Run<'a> {
    azure: &'a rolecall_azure::Azure,
    catalogue: &'a Arc<rolecall_rbac::Catalogue>,
    options: &'a RunOptions,
}

impl Run<'_> {
    async fn prepare(&self, request: &Request<'_>) -> (rolecall_onboarding::Proposal, Duration) {
        let started = Instant::now();
        let proposal = prepare(
            self.azure,
            request,
            self.catalogue.clone(),
            &Limits::default(),
        )
        .await
        .unwrap();
        let prepared = started.elapsed();
        assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
        (proposal, prepared)
    }

    async fn apply(&self, proposal: &rolecall_onboarding::Proposal) -> Duration {
        let started = Instant::now();
        let report = runs::execute(
            self.azure,
            &proposal.to_run(),
            &self.options.clone().with_plan(proposal.plan.clone()),
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
        applied
    }

    /// Each request prepared and applied in turn: the preflights' and the
    /// applies' times.
    async fn one_by_one<'r>(
        &self,
        requests: impl Iterator<Item = Request<'r>>,
    ) -> (Vec<Duration>, Vec<Duration>) {
        let (mut preflights, mut applies) = (Vec::new(), Vec::new());
        for request in requests {
            let (proposal, prepared) = self.prepare(&request).await;
            let applied = self.apply(&proposal).await;
            let policies = match proposal.plan.policies.len() {
                0 => String::new(),
                n => format!(", {n} PIM policies"),
            };
            println!(
                "  preflight + plan {} ({:.1} round trips{policies}); apply of {} writes {} ({:.1} round trips)",
                secs(prepared),
                rounds(prepared),
                proposal.writes(),
                secs(applied),
                rounds(applied)
            );
            preflights.push(prepared);
            applies.push(applied);
        }
        (preflights, applies)
    }

    /// One request for many people: its apply against the least time ARM's
    /// write bucket allows (the bucket full again first, as it would be
    /// between an admin's review and their click).
    async fn at_once(&self, world: &World, request: Request<'_>) {
        let (proposal, prepared) = self.prepare(&request).await;
        let arm_writes = proposal
            .plan
            .to_create()
            .filter(|i| matches!(i.grant, rolecall_grants::Grant::AzureRole(_)))
            .count();
        tokio::time::sleep(Duration::from_secs(21)).await;
        world.emulator.reset_observed();
        let (capacity, refill) = rolecall_emulator::Throttle::default().writes;
        let allowed = Duration::from_secs_f64(((arm_writes as f64 - capacity).max(0.0)) / refill);
        let applied = self.apply(&proposal).await;
        println!(
            "  ARM's write bucket {capacity} + {refill}/s per subscription; preflight + plan {}; apply of {} writes ({arm_writes} to ARM) {}; the limits allow it in {} at best; {:.0} % of that",
            secs(prepared),
            proposal.writes(),
            secs(applied),
            secs(allowed),
            100.0 * applied.as_secs_f64() / allowed.as_secs_f64().max(f64::EPSILON)
        );
        println!("  emulator saw: {:?}", world.emulator.observed());
    }
}
