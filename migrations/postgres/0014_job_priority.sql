-- Jobs readers wait for (a scheduled publication, a mail) go before heavy background work
-- (an image's variants): 0 first, then 1, each in time order.
alter table jobs add column priority integer not null default 0;
create index jobs_due_by_priority on jobs (status, priority, run_at);
