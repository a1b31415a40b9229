-- The newsroom: login throttling, password reset and invitation links.

-- Failed logins per account and per address hash, for growing delays. In the database so
-- that every node applies the same limits.
create table login_throttle (
    key text primary key not null,        -- "account:<email>" or "address:<hash>"
    failures integer not null default 0,
    last_failure_at integer not null,
    created_at integer not null,
    updated_at integer not null
);

-- Single-use, expiring links sent by e-mail; only a hash of the token is kept.
create table account_tokens (
    token_hash text primary key not null,
    user_id integer not null references users (id) on delete cascade,
    purpose text not null check (purpose in ('reset', 'invite')),
    expires_at integer not null,
    used_at integer,
    created_at integer not null,
    updated_at integer not null
);
create index account_tokens_user on account_tokens (user_id);
