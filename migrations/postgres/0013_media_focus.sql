-- The point of a picture that must stay in view when a page crops it (percent from the left
-- and from the top): cards, thumbnails and the 16:9, 4:3 and 1:1 crops search engines ask for
-- are all cut around it.
alter table media add column focus_x integer not null default 50;
alter table media add column focus_y integer not null default 50;
