-- Search filters read from an index (index-only scans), as on SQLite where it matters most.
create index articles_filter_by_id on articles (id, status, language, section_id, publish_at);
