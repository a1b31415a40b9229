-- The newsroom: login throttling, password reset and invitation links.

-- Failed logins per account and per address hash, for growing delays. In the database so
-- that every node applies the same limits.
create table login_throttle (
    key text primary key not null,        -- "account:<email>" or "address:<hash>"
    failures bigint not null default 0,
    last_failure_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);

-- Single-use, expiring links sent by e-mail; only a hash of the token is kept.
create table account_tokens (
    token_hash text primary key not null,
    user_id bigint not null references users (id) on delete cascade,
    purpose text not null check (purpose in ('reset', 'invite')),
    expires_at bigint not null,
    used_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index account_tokens_user on account_tokens (user_id);
