-- Search, second shape (see docs/performance.md and the SQLite migration of the same number).
-- `tsv` gains facet tokens ("zzlangfr zzsec12") so that a language or section filter is one
-- more term intersected inside the GIN index; article_search_headlines holds the title, lead
-- and tags as index tokens, read by key for the thousand matches at most that are ranked
-- (store::search::rank_headlines), so that both engines rank alike.
-- The rows are rebuilt from the articles at the next start (store::search::index_missing).
delete from article_search;
create table article_search_headlines (
    article_id bigint primary key not null references articles (id) on delete cascade,
    title text not null,
    lead text not null,
    tags text not null,
    updated_at bigint not null
);
