-- Working together on an article: who it is assigned to (a journalist to write it, an editor
-- to review it), and the newsroom's notes on it, which readers never see.
alter table articles add column assigned_to integer references users (id) on delete set null;
create index articles_assigned on articles (assigned_to);

create table article_notes (
    id integer primary key,
    article_id integer not null references articles (id) on delete cascade,
    author_id integer references users (id) on delete set null,
    body text not null,
    created_at integer not null,
    updated_at integer not null
);
create index article_notes_article on article_notes (article_id, created_at);

-- Who has an article open in the newsroom: taken when the form opens, renewed by the page's
-- script while it stays open, taken over knowingly by a colleague. "Being edited by …".
create table article_leases (
    article_id integer primary key references articles (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    taken_at integer not null,
    expires_at integer not null,
    created_at integer not null,
    updated_at integer not null
);
