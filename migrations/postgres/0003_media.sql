-- Responsive variants listed on the media row, so that article lists get their srcset in the
-- same query as the article: JSON [{"width": 320, "key": "ab/….w320.jpg"}, ...].
alter table media add column variants text not null default '[]';
