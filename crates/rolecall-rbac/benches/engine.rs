//! The engine's speed goals (issue #5), measured against Azure's full
//! catalogue: `cargo bench -p rolecall-rbac`. Figures go to docs/benchmarks.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rolecall_rbac::catalogue::shared_reference_dir;
use rolecall_rbac::least::RoleIndex;
use rolecall_rbac::{ActionKind, Catalogue};

fn engine(c: &mut Criterion) {
    let dir = shared_reference_dir();
    let ops = dir.join("provider-operations");
    let roles_file = dir.join("builtin-roles.json");

    c.bench_function("catalogue load (24,680 operations)", |b| {
        b.iter(|| black_box(Catalogue::load_dir(&ops).unwrap()))
    });
    let catalogue = Catalogue::load_dir(&ops).unwrap();
    let roles = rolecall_rbac::roles::load(&roles_file).unwrap();
    c.bench_function("role index build (928 roles)", |b| {
        b.iter(|| black_box(RoleIndex::build(&catalogue, roles.clone())))
    });

    // One keystroke at a time, as an admin types.
    let typed = "communication email";
    c.bench_function("search per keystroke (24,680 operations)", |b| {
        let mut n = 1;
        b.iter(|| {
            n = n % typed.len() + 1;
            black_box(catalogue.search(&typed[..n], None, 50))
        })
    });

    let index = RoleIndex::build(&catalogue, roles.clone());
    let required: Vec<(&str, ActionKind)> = [
        "Microsoft.Support/supportTickets/write",
        "Microsoft.Support/supportTickets/read",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Insights/alertRules/read",
        "Microsoft.Insights/metrics/read",
        "Microsoft.Resources/deployments/read",
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Insights/diagnosticSettings/read",
        "Microsoft.Resources/deployments/operations/read",
        "Microsoft.Insights/logs/read",
    ]
    .into_iter()
    .map(|a| (a, ActionKind::Action))
    .collect();
    c.bench_function("least-privilege ranking (928 roles, 10 actions)", |b| {
        b.iter(|| black_box(index.rank(&required, 10)))
    });

    let contributor = roles
        .iter()
        .find(|r| r.role_name() == "Contributor")
        .unwrap();
    c.bench_function("permission check (one action, one role)", |b| {
        b.iter(|| {
            black_box(contributor.allows(
                black_box("Microsoft.Authorization/roleAssignments/write"),
                ActionKind::Action,
            ))
        })
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);
