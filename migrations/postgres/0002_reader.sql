-- The reader site: full-text search, like de-duplication, opinion sections, listing indexes.

-- Search over our own tokens (normalized and stemmed in Rust by news::text), indexed with the
-- 'simple' configuration so that PostgreSQL and SQLite rank the same words.
create table article_search (
    article_id bigint primary key not null references articles (id) on delete cascade,
    tsv tsvector not null,
    updated_at bigint not null
);
create index article_search_tsv on article_search using gin (tsv);

-- One like per reader per article per day: a salted hash that rotates daily identifies the
-- reader for that day only; no address is stored and no cookie is set.
create table like_marks (
    mark text primary key not null,
    article_id bigint not null references articles (id) on delete cascade,
    day bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);
create index like_marks_day on like_marks (day);

-- "news" sections list articles; "opinion" sections get teaser blocks (section · signature ·
-- date, title, excerpt) on the front page.
alter table sections add column kind text not null default 'news';

-- Reader pages always show one language's articles, newest first.
create index articles_language_published on articles (language, status, publish_at);
create index articles_section_language_published on articles (section_id, language, status, publish_at);
