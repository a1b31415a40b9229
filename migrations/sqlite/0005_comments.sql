-- Reader comments: notification batches, bans and revoked trust.

-- When each subscriber was last told about new comments: the next mail lists those after it.
alter table comment_subscriptions add column last_notified_at integer;

-- Addresses or e-mails that may not comment, until a time; and commenters whose automatic
-- approval was withdrawn. Values are keyed hashes, not the e-mail or address itself.
create table comment_bans (
    id integer primary key autoincrement,
    kind text not null check (kind in ('email', 'address', 'distrust')),
    value_hash text not null,
    until integer,                        -- null: for good
    reason text not null default '',
    created_by integer references users (id) on delete set null,
    created_at integer not null,
    updated_at integer not null
);
create index comment_bans_value on comment_bans (kind, value_hash);

-- Requests to delete everything a commenter wrote, confirmed by mail.
create table erasure_requests (
    token_hash text primary key not null,
    email text not null,
    confirmed_at integer,
    expires_at integer not null,
    created_at integer not null,
    updated_at integer not null
);

create index comments_created on comments (created_at);
create index comments_ip_created on comments (ip_hash, created_at);
