-- Search filters read from an index instead of the article rows: on SQLite an article row holds
-- its body, and reading `status` or `publish_at` meant walking the body's overflow pages for
-- every match (a common word on a 500,000-article archive matches a third of them).
create index articles_filter_by_id on articles (id, status, language, section_id, publish_at);
