-- The reader site: full-text search, like de-duplication, opinion sections, listing indexes.

-- Search over our own tokens (normalized and stemmed in Rust by news::text), so that SQLite
-- and PostgreSQL rank the same words. rowid = article id. Contentless: the text lives in
-- articles; contentless_delete lets us delete and replace rows normally.
create virtual table article_search using fts5(
    title, lead, body, tags,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);

-- One like per reader per article per day: a salted hash that rotates daily identifies the
-- reader for that day only; no address is stored and no cookie is set.
create table like_marks (
    mark text primary key not null,
    article_id integer not null references articles (id) on delete cascade,
    day integer not null,
    created_at integer not null,
    updated_at integer not null
);
create index like_marks_day on like_marks (day);

-- "news" sections list articles; "opinion" sections get teaser blocks (section · signature ·
-- date, title, excerpt) on the front page.
alter table sections add column kind text not null default 'news';

-- Reader pages always show one language's articles, newest first.
create index articles_language_published on articles (language, status, publish_at);
create index articles_section_language_published on articles (section_id, language, status, publish_at);
