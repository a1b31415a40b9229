-- Gazette's data model, SQLite edition. The PostgreSQL file of the same number must produce
-- the same tables, columns and indexes (a test compares them).
--
-- Conventions, shared by both engines so that one query text serves both through sqlx's Any
-- driver: times are INTEGER unix milliseconds (UTC), flags are INTEGER 0/1, structured values
-- that no query filters on are JSON text.

-- Site settings as typed JSON values under a key: new settings need no migration.
create table settings (
    key text primary key not null,
    value text not null,
    updated_at integer not null
);

-- Named ad slots; their HTML is set by admins and shown as is, so only admins may edit it.
create table ad_slots (
    id integer primary key autoincrement,
    name text not null unique,
    html text not null default '',
    enabled integer not null default 1,
    created_at integer not null,
    updated_at integer not null
);

create table users (
    id integer primary key autoincrement,
    email text not null unique,           -- stored lowercased
    name text not null,
    slug text not null unique,            -- the author page: /auteurs/{slug}
    password_hash text,                   -- argon2id PHC string; null: cannot log in (imported, invited)
    role text not null check (role in ('admin', 'editor', 'journalist', 'moderator')),
    disabled integer not null default 0,
    bio text not null default '',
    avatar_media_id integer references media (id) on delete set null,
    totp_secret text,                     -- base32; null: no second factor
    last_login_at integer,
    created_at integer not null,
    updated_at integer not null
);

-- Login sessions live in the database so that every node sees them and an admin can revoke them.
create table sessions (
    id text primary key not null,         -- hash of the cookie value, never the value itself
    user_id integer not null references users (id) on delete cascade,
    csrf_token text not null,
    ip_hash text not null default '',
    user_agent text not null default '',
    created_at integer not null,
    last_seen_at integer not null,
    expires_at integer not null,
    updated_at integer not null
);
create index sessions_user on sessions (user_id);
create index sessions_expires on sessions (expires_at);

-- Tokens for the JSON API's write endpoints; only a hash is kept.
create table api_tokens (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    last_used_at integer,
    revoked_at integer,
    created_at integer not null,
    updated_at integer not null
);

create table media (
    id integer primary key autoincrement,
    storage_key text not null unique,     -- path under the media directory, content-hashed
    original_name text not null default '',
    mime text not null,
    width integer not null default 0,
    height integer not null default 0,
    byte_size integer not null default 0,
    caption text not null default '',
    credit text not null default '',
    alt text not null default '',
    uploaded_by integer references users (id) on delete set null,
    created_at integer not null,
    updated_at integer not null
);
create index media_created on media (created_at);

-- Responsive variants of an image (e.g. 320/640/1280 px WebP), made by a job.
create table media_variants (
    media_id integer not null references media (id) on delete cascade,
    width integer not null,
    format text not null,
    storage_key text not null unique,
    byte_size integer not null default 0,
    created_at integer not null,
    updated_at integer not null,
    primary key (media_id, width, format)
);

-- Sections (rubriques). Names and descriptions per language as JSON objects {"fr": ..., "ar": ...}.
create table sections (
    id integer primary key autoincrement,
    slug text not null unique,
    parent_id integer references sections (id) on delete restrict,
    position integer not null default 0,
    names text not null,
    descriptions text not null default '{}',
    created_at integer not null,
    updated_at integer not null
);
create index sections_parent on sections (parent_id, position);

create table tags (
    id integer primary key autoincrement,
    slug text not null unique,
    name text not null,
    created_at integer not null,
    updated_at integer not null
);

create table articles (
    id integer primary key autoincrement,
    slug text not null unique,
    section_id integer not null references sections (id) on delete restrict,
    language text not null check (language in ('fr', 'ar', 'en')),
    -- The fr/ar/en versions of one story share a group: the id of the first version.
    translation_group integer,
    title text not null,
    lead text not null default '',
    body_markdown text not null default '',
    body_html text not null default '',   -- rendered and sanitized when saved, never at read time
    signature text not null default '',   -- a desk or an agency: "Libé", "MAP"
    status text not null check (status in ('draft', 'review', 'scheduled', 'published', 'unpublished')),
    publish_at integer,                   -- publication time (past: published; future: scheduled)
    first_published_at integer,
    content_updated_at integer,           -- "Mis à jour le": set by an edit after publication
    featured_media_id integer references media (id) on delete set null,
    featured_caption text not null default '',
    featured_credit text not null default '',
    featured_alt text not null default '',
    -- Front page: null not placed; 0 the lead story; 1, 2, ... featured, in order.
    front_position integer,
    comments_mode text not null default 'open' check (comments_mode in ('open', 'closed', 'auto')),
    version integer not null default 1,   -- optimistic locking: a save names the version it edited
    created_by integer references users (id) on delete set null,
    updated_by integer references users (id) on delete set null,
    created_at integer not null,
    updated_at integer not null
);
-- Reader pages list published articles newest first, by section, by day, by language.
create index articles_published on articles (status, publish_at);
create index articles_section_published on articles (section_id, status, publish_at);
create index articles_group on articles (translation_group);
create index articles_front on articles (front_position);

create table article_tags (
    article_id integer not null references articles (id) on delete cascade,
    tag_id integer not null references tags (id) on delete cascade,
    position integer not null default 0,
    primary key (article_id, tag_id)
);
create index article_tags_tag on article_tags (tag_id, article_id);

-- Ordered co-authors. Join tables carry no timestamps: they are rewritten with their article.
create table article_authors (
    article_id integer not null references articles (id) on delete cascade,
    user_id integer not null references users (id) on delete restrict,
    position integer not null default 0,
    primary key (article_id, user_id)
);
create index article_authors_user on article_authors (user_id, article_id);

create table article_corrections (
    id integer primary key autoincrement,
    article_id integer not null references articles (id) on delete cascade,
    kind text not null check (kind in ('correction', 'clarification', 'update')),
    note text not null,
    noted_at integer not null,
    created_by integer references users (id) on delete set null,
    created_at integer not null,
    updated_at integer not null
);
create index article_corrections_article on article_corrections (article_id);

-- Every save of an article. Title, lead and body are columns for readable diffs; the other
-- fields as JSON.
create table article_revisions (
    id integer primary key autoincrement,
    article_id integer not null references articles (id) on delete cascade,
    version integer not null,
    title text not null,
    lead text not null,
    body_markdown text not null,
    fields text not null default '{}',
    created_by integer references users (id) on delete set null,
    created_at integer not null,
    updated_at integer not null,
    unique (article_id, version)
);

-- Old addresses that answer with a 301: moved articles, imported WordPress/WMaker links.
create table redirects (
    id integer primary key autoincrement,
    old_path text not null unique,
    article_id integer references articles (id) on delete cascade,
    section_id integer references sections (id) on delete cascade,
    target_path text,                     -- when neither an article nor a section
    created_at integer not null,
    updated_at integer not null
);

-- Static pages (about, imported WordPress pages).
create table pages (
    id integer primary key autoincrement,
    slug text not null unique,
    language text not null default 'fr',
    title text not null,
    body_html text not null default '',
    created_at integer not null,
    updated_at integer not null
);

create table comments (
    id integer primary key autoincrement,
    article_id integer not null references articles (id) on delete cascade,
    parent_id integer references comments (id) on delete set null,
    author_name text not null,
    author_email text not null,           -- never shown: not in pages, feeds or the API
    author_website text not null default '',
    body text not null,
    language text not null default '',
    status text not null check (status in ('pending', 'approved', 'refused', 'spam')),
    refusal_reason text,                  -- a policy code: hate, defamation, insult, ...
    screening text not null default '{}', -- what the automatic screening matched, as JSON
    ip_hash text not null default '',     -- salted hash; the address itself is never stored
    deleted_at integer,                   -- removed at its author's request; kept as a stub for threads
    decided_at integer,
    decided_by integer references users (id) on delete set null,
    created_at integer not null,
    updated_at integer not null
);
create index comments_article on comments (article_id, status, created_at);
create index comments_status on comments (status, created_at);
create index comments_email on comments (author_email);

create table comment_subscriptions (
    id integer primary key autoincrement,
    article_id integer not null references articles (id) on delete cascade,
    email text not null,
    confirmed integer not null default 0,
    confirm_token text not null unique,
    unsubscribe_token text not null unique,
    confirmed_at integer,
    created_at integer not null,
    updated_at integer not null,
    unique (article_id, email)
);

-- Totals shown on pages, and per day for "most read today / this week".
create table article_stats (
    article_id integer primary key not null references articles (id) on delete cascade,
    reads integer not null default 0,
    likes integer not null default 0,
    updated_at integer not null
);

create table article_daily_stats (
    article_id integer not null references articles (id) on delete cascade,
    day integer not null,                 -- days since 1970-01-01 in the site's time zone
    reads integer not null default 0,
    likes integer not null default 0,
    updated_at integer not null,
    primary key (article_id, day)
);
create index article_daily_stats_day on article_daily_stats (day, reads);

-- Durable background work. A job is inserted in the same transaction as the write that causes
-- it; a worker claims it by setting a lease, so each job runs once across nodes.
create table jobs (
    id integer primary key autoincrement,
    kind text not null,
    payload text not null default '{}',
    dedupe_key text unique,               -- at most one live job per key (e.g. publish article 12)
    status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
    run_at integer not null,
    attempts integer not null default 0,
    max_attempts integer not null default 8,
    locked_by text,
    locked_until integer,
    last_error text,
    finished_at integer,
    created_at integer not null,
    updated_at integer not null
);
create index jobs_due on jobs (status, run_at);

create table audit_log (
    id integer primary key autoincrement,
    actor_id integer references users (id) on delete set null,
    action text not null,                 -- dotted: article.publish, comment.approve, user.disable
    object_type text not null default '',
    object_id integer,
    detail text not null default '{}',
    created_at integer not null,
    updated_at integer not null
);
create index audit_log_object on audit_log (object_type, object_id);
create index audit_log_created on audit_log (created_at);
