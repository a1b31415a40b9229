//! Growing delays after failed logins, per account and per address.
//!
//! Three failures are free (typos happen); after that each attempt must wait 1 s, 2 s, 4 s,
//! ... up to 15 minutes after the previous failure. An hour without failure forgets them.

use super::{Db, StoreResult, Tx, col, now_ms};

const FREE: i64 = 3;
const MAX_WAIT_MS: i64 = 15 * 60_000;
const FORGET_MS: i64 = 60 * 60_000;

/// The delay a number of failures imposes after the last one.
pub fn delay_ms(failures: i64) -> i64 {
    if failures < FREE {
        return 0;
    }
    let exponent = (failures - FREE).min(20) as u32;
    (1000i64 << exponent).min(MAX_WAIT_MS)
}

/// Milliseconds to wait before any of `keys` may try again (0: now).
pub async fn wait_ms(db: &Db, keys: &[String]) -> StoreResult<i64> {
    let now = now_ms();
    let mut wait = 0;
    for key in keys {
        let row = sqlx::query("select failures, last_failure_at from login_throttle where key = $1")
            .bind(key.clone())
            .fetch_optional(db.reader())
            .await?;
        if let Some(row) = row {
            let failures: i64 = col(&row, "failures")?;
            let last: i64 = col(&row, "last_failure_at")?;
            if now - last < FORGET_MS {
                wait = wait.max(last + delay_ms(failures) - now);
            }
        }
    }
    Ok(wait.max(0))
}

/// Counts a failure against each key.
pub async fn record_failure(tx: &mut Tx, keys: &[String]) -> StoreResult<()> {
    let now = now_ms();
    for key in keys {
        sqlx::query(
            "insert into login_throttle (key, failures, last_failure_at, created_at, updated_at) values ($1, 1, $2, $2, $2) \
             on conflict (key) do update set \
                 failures = case when login_throttle.last_failure_at < $3 then 1 else login_throttle.failures + 1 end, \
                 last_failure_at = excluded.last_failure_at, updated_at = excluded.updated_at",
        )
        .bind(key.clone())
        .bind(now)
        .bind(now - FORGET_MS)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Forgets the failures of a key after a successful login.
pub async fn clear(tx: &mut Tx, key: &str) -> StoreResult<()> {
    sqlx::query("delete from login_throttle where key = $1").bind(key.to_string()).execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::delay_ms;

    #[test]
    fn delays_grow_after_three_failures_and_are_capped() {
        assert_eq!(delay_ms(2), 0);
        assert_eq!(delay_ms(3), 1000);
        assert_eq!(delay_ms(5), 4000);
        assert_eq!(delay_ms(40), 15 * 60_000);
    }
}
