-- Search, second shape (see docs/performance.md). The old index ranked every match with bm25
-- over the bodies, which on a 500,000-article archive cost a third of a second for a common
-- word, and filtered by language or section outside the index.
--
-- * article_search: what matches. One text column (title, lead, body and tags) and a facets
--   column ("zzlangfr zzsec12"), so that a language or section filter is one more term
--   intersected inside the index. detail=column keeps which column a word is in but not its
--   positions: the index is a fraction of the size and the newest-first walk reads less.
-- * article_search_headlines: what ranks. The title, lead and tags as index tokens, read by
--   key for the thousand matches at most that are ranked (store::search::rank_headlines).
--
-- Contentless, rowid = article id. The rows are rebuilt from the articles at the next start
-- (store::search::index_missing); the archive generator writes them directly.
drop table article_search;
create virtual table article_search using fts5(
    text, facets,
    content = '', contentless_delete = 1, detail = column, tokenize = 'unicode61 remove_diacritics 0'
);
create table article_search_headlines (
    article_id integer primary key not null references articles (id) on delete cascade,
    title text not null,
    lead text not null,
    tags text not null,
    updated_at integer not null
);
