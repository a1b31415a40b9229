-- A writer's photo ({"media_id": 12, "webp": "…p96.webp", …}, empty when none): the square
-- cut from a media library image that bylines, the author page and the front page's opinion
-- block show.
alter table users add column photo text not null default '';
