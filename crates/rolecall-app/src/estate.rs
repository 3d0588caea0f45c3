//! The whole estate the admin can see, for searching scopes by name, type
//! or id without expanding the tree first.

use futures::TryStreamExt;
use rolecall_azure::Azure;
use rolecall_azure::arm::Entity;

use crate::error::Result;

/// One scope of the estate and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    /// A resource's type, a resource group's location, a subscription's state.
    pub detail: String,
    /// The names of the scopes it is inside, outermost first.
    pub within: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ManagementGroup,
    Subscription,
    ResourceGroup,
    Resource,
}

/// Every management group, subscription, resource group and resource the
/// admin sees, each subscription read at once (its groups and its resources
/// concurrently) beside the management-group hierarchy. Where the admin may
/// read no group (most admins, until they hold a role at one), the hierarchy
/// is empty and subscriptions stand on their own.
pub async fn estate(azure: &Azure) -> Result<Vec<Place>> {
    let (subscriptions, entities) = subscriptions_and_groups(azure).await?;
    let mut places: Vec<Place> = entities
        .iter()
        .filter(|e| e.is_management_group())
        .map(group_place)
        .collect();
    // The groups above a subscription, root first.
    let above = |subscription_id: &str| -> Vec<String> {
        entities
            .iter()
            .find(|e| !e.is_management_group() && e.name.eq_ignore_ascii_case(subscription_id))
            .map(|e| e.properties.parent_display_name_chain.clone())
            .unwrap_or_default()
    };
    let per_subscription =
        futures::future::try_join_all(subscriptions.iter().map(|s| async move {
            let (groups, resources) = tokio::try_join!(
                azure
                    .arm
                    .resource_groups(&s.subscription_id)
                    .try_collect::<Vec<_>>(),
                azure
                    .arm
                    .resources(&s.subscription_id, None, None)
                    .try_collect::<Vec<_>>(),
            )?;
            Ok::<_, rolecall_azure::AzureError>((s, groups, resources))
        }))
        .await?;
    for (subscription, groups, resources) in per_subscription {
        let chain = above(&subscription.subscription_id);
        let inside = |more: &[&str]| -> Vec<String> {
            chain
                .iter()
                .cloned()
                .chain(more.iter().map(|s| (*s).to_owned()))
                .collect()
        };
        places.push(Place {
            id: subscription.id.clone(),
            name: subscription.display_name.clone(),
            kind: Kind::Subscription,
            detail: subscription.state.clone(),
            within: chain.clone(),
        });
        for group in &groups {
            places.push(Place {
                id: group.id.clone(),
                name: group.name.clone(),
                kind: Kind::ResourceGroup,
                detail: group.location.clone(),
                within: inside(&[&subscription.display_name]),
            });
        }
        for resource in resources {
            let group = rolecall_rbac::Scope::parse(&resource.id)
                .ok()
                .and_then(|s| s.resource_group().map(str::to_owned))
                .unwrap_or_default();
            places.push(Place {
                id: resource.id,
                name: resource.name,
                kind: Kind::Resource,
                detail: resource.resource_type,
                within: inside(&[&subscription.display_name, &group]),
            });
        }
    }
    Ok(places)
}

/// The scope tree's first level: the highest management groups the admin
/// may read, and the subscriptions no readable group holds (all of them for
/// an admin who may read no group).
pub async fn roots(azure: &Azure) -> Result<Vec<Place>> {
    let (subscriptions, entities) = subscriptions_and_groups(azure).await?;
    let groups: Vec<&Entity> = entities
        .iter()
        .filter(|e| e.is_management_group())
        .collect();
    let readable_group = |name: &str| groups.iter().any(|g| g.name.eq_ignore_ascii_case(name));
    let mut out: Vec<Place> = groups
        .iter()
        .filter(|g| !g.parent_name().is_some_and(readable_group))
        .map(|g| group_place(g))
        .collect();
    sort(&mut out);
    let held_by_group = |subscription_id: &str| {
        entities.iter().any(|e| {
            !e.is_management_group()
                && e.name.eq_ignore_ascii_case(subscription_id)
                && e.parent_name().is_some_and(readable_group)
        })
    };
    let mut loose: Vec<Place> = subscriptions
        .into_iter()
        .filter(|s| !held_by_group(&s.subscription_id))
        .map(subscription_place)
        .collect();
    sort(&mut loose);
    out.extend(loose);
    Ok(out)
}

/// What is directly inside a management group: its groups, then its
/// subscriptions, each by name.
pub async fn group_children(azure: &Azure, group: &str) -> Result<Vec<Place>> {
    let (subscriptions, entities) = subscriptions_and_groups(azure).await?;
    let inside = |e: &&Entity| {
        e.parent_name()
            .is_some_and(|p| p.eq_ignore_ascii_case(group))
    };
    let mut groups: Vec<Place> = entities
        .iter()
        .filter(|e| e.is_management_group())
        .filter(inside)
        .map(group_place)
        .collect();
    sort(&mut groups);
    let mut subs: Vec<Place> = entities
        .iter()
        .filter(|e| !e.is_management_group())
        .filter(inside)
        .map(|e| {
            // The subscription's own state, when the admin may read it.
            match subscriptions
                .iter()
                .find(|s| s.subscription_id.eq_ignore_ascii_case(&e.name))
            {
                Some(s) => subscription_place(s.clone()),
                None => Place {
                    id: e.id.clone(),
                    name: e
                        .properties
                        .display_name
                        .clone()
                        .unwrap_or_else(|| e.name.clone()),
                    kind: Kind::Subscription,
                    detail: String::new(),
                    within: Vec::new(),
                },
            }
        })
        .collect();
    sort(&mut subs);
    groups.extend(subs);
    Ok(groups)
}

/// The subscriptions the admin sees and the management-group entities they
/// may read, asked at once.
async fn subscriptions_and_groups(
    azure: &Azure,
) -> Result<(Vec<rolecall_azure::arm::Subscription>, Vec<Entity>)> {
    let (subscriptions, entities) = tokio::join!(
        azure.arm.subscriptions().try_collect::<Vec<_>>(),
        azure.arm.readable_management_entities()
    );
    Ok((subscriptions?, entities?))
}

fn group_place(e: &Entity) -> Place {
    Place {
        id: e.id.clone(),
        name: e
            .properties
            .display_name
            .clone()
            .unwrap_or_else(|| e.name.clone()),
        kind: Kind::ManagementGroup,
        detail: e.name.clone(),
        within: e.properties.parent_display_name_chain.clone(),
    }
}

fn subscription_place(s: rolecall_azure::arm::Subscription) -> Place {
    Place {
        id: s.id,
        name: s.display_name,
        kind: Kind::Subscription,
        detail: s.state,
        within: Vec::new(),
    }
}

fn sort(places: &mut [Place]) {
    places.sort_by_cached_key(|p| p.name.to_lowercase());
}
