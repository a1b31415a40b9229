-- Readers report a published comment ("Signaler") with a ground of the charter: each address
-- once per comment. Enough reports from different addresses take the comment off the page
-- until a moderator decides; every report shows in the queue beside the comment.
create table comment_reports (
    id integer primary key autoincrement,
    comment_id integer not null references comments (id) on delete cascade,
    reason text not null,                 -- a policy code: threat, insult, ..., or "other"
    ip_hash text not null,                -- keyed hash of the reporter's address
    created_at integer not null,
    updated_at integer not null
);
create unique index comment_reports_once on comment_reports (comment_id, ip_hash);
-- How many reports an address sent lately: the rate limit.
create index comment_reports_by_address on comment_reports (ip_hash, created_at);
