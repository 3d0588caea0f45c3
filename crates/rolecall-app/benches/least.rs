//! Least-privilege advice on the role step, against Azure's full catalogue
//! and built-in roles: `cargo bench -p rolecall-app --bench least`.
//! Figures go to docs/benchmarks.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rolecall_rbac::Catalogue;
use rolecall_rbac::catalogue::shared_reference_dir;

fn least(c: &mut Criterion) {
    let dir = shared_reference_dir();
    let catalogue = Catalogue::load_dir(&dir.join("provider-operations")).unwrap();
    let roles = rolecall_rbac::roles::load(&dir.join("builtin-roles.json")).unwrap();
    let need = |actions: &[&str]| actions.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    // A narrow need (few roles allow it) and a broad one (most roles do).
    let ticket = need(&["Microsoft.Support/supportTickets/write"]);
    let read = need(&["Microsoft.Resources/subscriptions/resourceGroups/read"]);
    c.bench_function("rank roles for a support ticket (928 roles)", |b| {
        b.iter(|| black_box(rolecall_app::least::rank_roles(&catalogue, &roles, &ticket).unwrap()))
    });
    c.bench_function("rank roles for reading resource groups (928 roles)", |b| {
        b.iter(|| black_box(rolecall_app::least::rank_roles(&catalogue, &roles, &read).unwrap()))
    });
    let reader = roles.iter().find(|r| r.role_name() == "Reader").unwrap();
    c.bench_function("built-in alternative of a custom role (928 roles)", |b| {
        b.iter(|| {
            black_box(rolecall_app::least::built_in_alternative(
                &catalogue,
                &roles,
                &reader.properties.permissions,
            ))
        })
    });
}

criterion_group!(benches, least);
criterion_main!(benches);
