//! The whole estate the admin can see, for searching scopes by name, type
//! or id without expanding the tree first.

use futures::TryStreamExt;
use rolecall_azure::Azure;

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
    Subscription,
    ResourceGroup,
    Resource,
}

/// Every subscription, resource group and resource the admin sees, each
/// subscription read at once (its groups and its resources concurrently).
pub async fn estate(azure: &Azure) -> Result<Vec<Place>> {
    let subscriptions: Vec<_> = azure.arm.subscriptions().try_collect().await?;
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
    let mut places = Vec::new();
    for (subscription, groups, resources) in per_subscription {
        places.push(Place {
            id: subscription.id.clone(),
            name: subscription.display_name.clone(),
            kind: Kind::Subscription,
            detail: subscription.state.clone(),
            within: Vec::new(),
        });
        for group in &groups {
            places.push(Place {
                id: group.id.clone(),
                name: group.name.clone(),
                kind: Kind::ResourceGroup,
                detail: group.location.clone(),
                within: vec![subscription.display_name.clone()],
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
                within: vec![subscription.display_name.clone(), group],
            });
        }
    }
    Ok(places)
}
