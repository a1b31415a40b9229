-- What each import brought in, keyed by where it came from: running an import again updates
-- what changed there and duplicates nothing, and an interrupted run can be run again.
create table import_items (
    source text not null,                 -- the exported site's address (WXR base_site_url)
    kind text not null,                   -- post, page, attachment, comment, category, tag, author
    source_id text not null,              -- its id on that site
    local_id bigint not null,             -- the row it became here (articles, pages, media, ...)
    fingerprint text not null,            -- a hash of what was imported: same hash, nothing to do
    created_at bigint not null,
    updated_at bigint not null,
    primary key (source, kind, source_id)
);
create index import_items_local on import_items (kind, local_id);
