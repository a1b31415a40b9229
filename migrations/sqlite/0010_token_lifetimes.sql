-- API tokens end: a new token has an expiry date (null: one made before this migration, or
-- made on purpose to never expire), and the time it was last used is kept for the list.
alter table api_tokens add column expires_at integer;
-- A second-factor code opens one session only: the last 30-second step accepted for the
-- account, so the same code cannot be replayed within its window (RFC 6238, section 5.2).
alter table users add column totp_last_step integer;
