-- When a published article leaves the site by itself (an embargo's end, a time-limited page):
-- unix ms, or null. The unpublication job checks it when it runs, so moving or clearing it is
-- enough to change the plan.
alter table articles add column unpublish_at integer;
