-- The language of the newsroom for this member of staff (fr, ar, en); empty for the site's
-- default language. Chosen in « Mon compte ».
alter table users add column desk_language text not null default '';
