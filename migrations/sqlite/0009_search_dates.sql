-- The same index as on PostgreSQL, where it lets a search in a range of dates read the ids of
-- the range from the index alone. On SQLite every index holds the rowid already, so this one
-- is `articles_published` under the name both engines share; analysed at once so that the
-- planner keeps its plans (STAT4 samples are per index).
create index articles_published_ids on articles (status, publish_at, id);
drop index articles_published;
analyze articles;
