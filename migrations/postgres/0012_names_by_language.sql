-- A staff member's name and bio as each edition writes them ({"ar": "سلمى بنعلي"}), for
-- bylines and the author page; `name` and `bio` where a language has none.
alter table users add column names text not null default '{}';
alter table users add column bios text not null default '{}';
