//! The moderation lists admins edit, stored as one setting; the built-in lists until then.

use super::{Db, StoreResult, Tx, settings};
use crate::news::moderation::{PolicyLists, default_lists};

const KEY: &str = "moderation.lists";

/// The lists in force.
pub async fn lists(db: &Db) -> StoreResult<PolicyLists> {
    Ok(settings::get::<PolicyLists>(db, KEY).await?.unwrap_or_else(default_lists))
}

pub async fn save_lists(tx: &mut Tx, lists: &PolicyLists) -> StoreResult<()> {
    settings::put(tx, KEY, lists).await
}
