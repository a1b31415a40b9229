#!/usr/bin/env bash
# sqlmap (the Debian package) against a throwaway Gazette: the demo newspaper in a temporary
# data directory, an admin account, an API token and a newsroom session made for the run. Every
# route whose path parameters, query string, form fields, JSON fields or user agent can reach a
# query is a target (the routes are in src/web.rs). The aim is zero findings.
#
#   bash tests/attack/sqlmap.sh            # level 3, risk 2, every target (SQLMAP_TIME, 20 min)
#   QUICK=1 bash tests/attack/sqlmap.sh    # level 1, risk 1, search + article + API list (< 3 min)
#
# Settings (environment):
#   SQLMAP_PORT          port of the temporary server (default 18090, on 127.0.0.1)
#   SQLMAP_TIME          seconds for the whole sqlmap run (default 1200); each target gets a fair
#                        share of what is left, and a target cut short is reported as such
#   SQLMAP_DATABASE_URL  run against this database instead of a new SQLite file, e.g. an EMPTY
#                        throwaway PostgreSQL database: the run fills it with test rows
#   GAZETTE_BIN          the binary (default target/release/gazette, built if missing)
#   SQLMAP_ONLY          only these targets, by name, comma-separated (names: see the summary)
#   SQLMAP_KEEP=1        keep the temporary directory (it is kept anyway when something is found)
#
# Exit status: 0 no finding; 1 a finding (an injection sqlmap confirmed, or suspected and had no
# time left to check, a reflected <'"> that sqlmap flags as cross-site scripting, an answer 500
# to sqlmap's input, or the server stopping); 2 the run could not be made. A target stopped at
# its time share with nothing suspected is reported on its line and does not change the status.
set -euo pipefail
# The whole script is one group, read before it runs: a `git pull` during a long run must not
# change what the rest of the run does.
{
cd "$(dirname "$0")/../.."
ROOT=$PWD
PORT=${SQLMAP_PORT:-18090}
TIME=${SQLMAP_TIME:-1200}
QUICK=${QUICK:-0}
BIN=${GAZETTE_BIN:-$ROOT/target/release/gazette}
# A relative GAZETTE_BIN is relative to the repository: the server starts in its own directory.
case "$BIN" in /*) ;; *) BIN=$ROOT/$BIN ;; esac
DB_URL=${SQLMAP_DATABASE_URL:-}
KEEP=${SQLMAP_KEEP:-0}
BASE=http://127.0.0.1:$PORT
ADMIN_EMAIL=admin@example.com

say() { printf 'sqlmap.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }
# Exit status 1 means a finding: any other failure of the script itself is a 2.
trap 'say "unexpected failure at line $LINENO"; exit 2' ERR
# The value of the first `name="..." value="..."` field of a page on standard input, or nothing.
field() { grep -o "name=\"$1\" value=\"[^\"]*\"" | sed -n '1s/.*value="//; 1s/"$//p' || true; }

# --- Tools -----------------------------------------------------------------------------------
need_apt=()
command -v sqlmap >/dev/null || need_apt+=(sqlmap)
command -v curl >/dev/null || need_apt+=(curl)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
    say "installing ${need_apt[*]} from Debian…"
    sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || die "not root and no sudo: install ${need_apt[*]} first"
        sudo=(sudo)
    fi
    ${sudo[@]+"${sudo[@]}"} apt-get update -qq
    DEBIAN_FRONTEND=noninteractive ${sudo[@]+"${sudo[@]}"} apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
command -v timeout >/dev/null || die "timeout (coreutils) is missing"

if [ ! -x "$BIN" ]; then
    [ -z "${GAZETTE_BIN:-}" ] || die "GAZETTE_BIN=$BIN is not an executable"
    say "building the release binary…"
    cargo build --release --quiet
fi

# --- A throwaway instance ----------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gazette-sqlmap.XXXXXX")
SERVER_PID=""
status=2

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        # The server finishes requests in flight (20 s by default), then stops.
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$KEEP" = 1 ] || [ "$status" != 0 ]; then
        say "kept $WORK (server.log, sqlmap/NN-target/stdout.txt)"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Nothing from the environment may point the run at a real database or configuration: no
# DATABASE_URL, no GAZETTE_* variable, an empty configuration file.
scrub=(-u DATABASE_URL)
while IFS= read -r name; do scrub+=(-u "$name"); done < <(compgen -e | grep '^GAZETTE_' || true)
# The instance trusts X-Forwarded-For (as behind a proxy) so that the login targets can come
# from a new address at each request (sqlmap's xforwardedfor tamper script): the login throttle
# would otherwise answer "wait" to nearly all of them, and its answers, which change with time,
# make sqlmap see a difference that no payload caused.
printf '[server]\ntrust_proxy = true\n' >"$WORK/gazette.toml"
db_flag=(--database-url "${DB_URL:-sqlite://$WORK/data/gazette.db}")
gz() { env "${scrub[@]}" "$BIN" --config "$WORK/gazette.toml" --data-dir "$WORK/data" "${db_flag[@]}" "$@"; }

if curl -s -o /dev/null --max-time 2 "$BASE/"; then
    die "something already answers on 127.0.0.1:$PORT; choose another port with SQLMAP_PORT"
fi
say "starting Gazette with the demo newspaper on $BASE (data in $WORK/data)…"
(cd "$WORK" && exec env "${scrub[@]}" "$BIN" --config "$WORK/gazette.toml" --data-dir "$WORK/data" \
    "${db_flag[@]}" serve --demo --listen "127.0.0.1:$PORT") >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 360); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 20 "$WORK/server.log" >&2
        die "the server stopped while starting (above: the end of its log)"
    fi
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/healthz")" = 200 ] && break
    sleep 0.5
done
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/healthz")" = 200 ] \
    || die "the server did not answer /healthz within 3 minutes"

# An admin (password on standard input) and an API token for the authenticated targets.
PASSWORD="sqlmap-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASSWORD" | gz user add --email "$ADMIN_EMAIL" --name Admin --role admin >/dev/null \
    || die "cannot create the admin account"
API_TOKEN=$(gz user token --email "$ADMIN_EMAIL" --name sqlmap 2>/dev/null | tail -n 1 || true)
[ -n "$API_TOKEN" ] || die "cannot create an API token"

# Real addresses from the demo content: a French article whose comments are open, with a tag
# and an author; the day it was published (UTC; the page exists for any valid date anyway).
python3 - "$BASE" >"$WORK/discovered" <<'PY' || die "cannot find a demo article to aim at (is the demo loaded?)"
import json, sys, urllib.request
from datetime import datetime, timezone
base = sys.argv[1]
def get(path):
    with urllib.request.urlopen(base + path, timeout=20) as r:
        return r.read().decode("utf-8")
items = json.loads(get("/api/v1/articles?lang=fr&per_page=50"))["items"]
chosen = None
for card in items:
    full = json.loads(get("/api/v1/articles/%d" % card["id"]))
    if not (full["tags"] and full["authors"]):
        continue
    if 'id="comment-form"' in get("/%s/%s" % (full["section_slug"], full["slug"])):
        chosen = full
        break
if chosen is None:
    sys.exit(1)
day = datetime.fromtimestamp(chosen["publish_at"] / 1000, tz=timezone.utc)
for value in (chosen["id"], chosen["section_slug"], chosen["slug"], chosen["tags"][0]["slug"],
              chosen["authors"][0]["slug"], day.strftime("%Y"), day.strftime("%m"), day.strftime("%d")):
    print(value)
PY
{
    read -r ART_ID; read -r SECTION; read -r SLUG; read -r TAG; read -r AUTHOR
    read -r YEAR; read -r MONTH; read -r DAY
} <"$WORK/discovered"
say "aiming at /$SECTION/$SLUG (article $ART_ID), tag $TAG, author $AUTHOR, day $YEAR/$MONTH/$DAY"

if [ "$QUICK" != 1 ]; then
    # A newsroom session, as a browser gets one: the login form's cookie and token, then the post.
    jar=$WORK/cookies.txt
    login_csrf=$(curl -sS -c "$jar" -b "$jar" "$BASE/redaction/connexion" | field csrf)
    code=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
        --data-urlencode "csrf=$login_csrf" --data-urlencode "email=$ADMIN_EMAIL" \
        --data-urlencode "password=$PASSWORD" --data-urlencode "next=/redaction" "$BASE/redaction/connexion")
    SESSION=$(awk '$6 == "gz_session" { v = $7 } END { print v }' "$jar")
    [ "$code" = 303 ] && [ -n "$SESSION" ] || die "cannot log in to the newsroom (answer $code)"

    # The comment limits (5 per address per 10 minutes, 3 s before posting) would answer nearly
    # every request of sqlmap with a refusal before the screening and the insert: lift them as
    # far as they go on this instance, through the admin's own form (see the comment target).
    staff_csrf=$(curl -sS -b "$jar" "$BASE/redaction/commentaires/listes" | field csrf)
    code=$(curl -sS -b "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$staff_csrf" \
        --data "min_seconds=0&max_links=2&per_address_per_10_min=1000&per_email_per_hour=1000&moderator_digest=off" \
        "$BASE/redaction/commentaires/listes")
    [ "$code" = 303 ] \
        || say "could not lift the comment limits (answer $code); most comment posts will be refused early"

    # The login form's own CSRF cookie, for the login and forgotten-password targets: its value
    # is also the form's token.
    LOGIN_TOKEN=$(curl -sS -D - -o /dev/null "$BASE/redaction/connexion" \
        | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: gz_login=\([0-9a-f]*\);.*/\1/p' | sed -n 1p || true)
    [ -n "$LOGIN_TOKEN" ] || die "the login form set no gz_login cookie"

    # The comment form's signed timing token (valid three days), from the article page.
    # (The like form's token comes first on the page and has no dot.)
    COMMENT_TOKEN=$(curl -sS "$BASE/$SECTION/$SLUG" | grep -o 'name="token" value="[0-9]*\.[0-9a-f]*"' \
        | sed -n '1s/.*value="//; 1s/"$//p' || true)
    [ -n "$COMMENT_TOKEN" ] || die "no comment form token on /$SECTION/$SLUG"
fi

# Every page aimed at must answer as a reader (or the staff) would see it; a wrong address
# would only test a 404 page.
for path in "/$SECTION/$SLUG" "/$SECTION" "/tag/$TAG" "/auteur/$AUTHOR" "/archives/$YEAR/$MONTH/$DAY" \
    "/api/v1/articles/$ART_ID" "/recherche?q=port"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$BASE$path")
    [ "$code" = 200 ] || die "$path answers $code, not 200"
done

# --- Targets -----------------------------------------------------------------------------------
# One line each: a name, then sqlmap's arguments. `*` marks a point inside a path (sqlmap then
# tests only the marked points); without marks every query or form parameter is tested, except
# those `-p` leaves out. The User-Agent and Referer headers that level 3 adds are skipped
# except on the one target where the user agent reaches a query (a login stores it with the
# session); nothing stores the Referer.
names=()
argv=()
target() {
    local name=$1
    shift
    names+=("$name")
    argv+=("$(printf '%q ' "$@")")
}

if [ "$QUICK" = 1 ]; then
    LEVEL=(--level 1 --risk 1)
    target search -u "$BASE/recherche?q=port&section=$SECTION&lang=fr&from=2020-01-01&to=2035-12-31&page=1"
    target article -u "$BASE/$SECTION*/$SLUG*?commentaire=attente*"
    target api-list -u "$BASE/api/v1/articles?section=$SECTION&lang=fr&page=1&per_page=5"
else
    LEVEL=(--level 3 --risk 2)
    noheaders=(--skip "user-agent,referer")
    bearer=(-H "Authorization: Bearer $API_TOKEN")
    staff=(--cookie "gz_session=$SESSION" --drop-set-cookie)
    login=(--cookie "gz_login=$LOGIN_TOKEN" --drop-set-cookie --tamper xforwardedfor)
    # Addresses whose original answer is 404 (no such token): sqlmap asks whether to quit.
    missing=(--answers "quit=N")

    # Reader pages
    target search -u "$BASE/recherche?q=port&section=$SECTION&lang=fr&from=2020-01-01&to=2035-12-31&page=1" "${noheaders[@]}"
    target article -u "$BASE/$SECTION*/$SLUG*?commentaire=attente*&reponse=1*"
    target section -u "$BASE/$SECTION*?page=1*"
    target tag -u "$BASE/tag/$TAG*?page=1*"
    target author -u "$BASE/auteur/$AUTHOR*?page=1*"
    target day-archive -u "$BASE/archives/$YEAR*/$MONTH*/$DAY*"
    target old-wordpress-link -u "$BASE/?p=1&cat=$SECTION" "${noheaders[@]}"
    target feed -u "$BASE/feeds/rubrique*/$SECTION*/rss.xml*"
    target sitemap -u "$BASE/sitemaps/articles-1.xml*"
    # Links from mails: a subscription's confirmation, unsubscribing (a POST without a CSRF
    # token, as RFC 8058 wants), a password reset.
    target subscription-confirm -u "$BASE/commentaires/confirmer/abcdef0123456789*" "${missing[@]}"
    target unsubscribe -u "$BASE/commentaires/desabonner/abcdef0123456789*" --data "List-Unsubscribe=One-Click"
    target password-reset-link -u "$BASE/redaction/reinitialiser/abcdef0123456789*" "${missing[@]}"
    # Forms. A comment comes from a new address each time (tamper script), and with a new e-mail
    # address unless the e-mail is the field under test: even the lifted limits (1,000 per
    # address or e-mail) would otherwise stop the comments before the screening and the insert,
    # the only queries the text reaches.
    target comment -u "$BASE/$SECTION/$SLUG/commentaires" --tamper xforwardedfor \
        --eval "import random; email = ('lectrice%d@example.com' % random.randrange(10**9)) if email == 'lectrice@example.com' else email" \
        --data "name=Lectrice&email=lectrice%40example.com&website=https%3A%2F%2Fexample.com&body=Merci%20pour%20cet%20article%2C%20tres%20utile.&notify=1&token=$COMMENT_TOKEN" \
        -p "name,email,website,body,notify"
    # The admin's real password: unchanged, the request logs in (and stores the user agent with
    # the new session); with a payload in the e-mail it is refused. The e-mail is the field that
    # reaches queries (the password is only compared with a hash).
    target login -u "$BASE/redaction/connexion" "${login[@]}" -p "email,user-agent" \
        --data "csrf=$LOGIN_TOKEN&email=admin%40example.com&password=$PASSWORD&next=%2Fredaction"
    target forgotten-password -u "$BASE/redaction/mot-de-passe-oublie" "${login[@]}" -p "email" \
        --data "csrf=$LOGIN_TOKEN&email=nobody%40example.com"
    # Newsroom lists (admin session). The session cookie is not a target: only its hash reaches
    # a query.
    target newsroom-articles -u "$BASE/redaction/articles?status=draft&q=port&page=1" "${staff[@]}" \
        -p "status,q,page"
    target newsroom-comments -u "$BASE/redaction/commentaires?status=pending&reason=spam&article=$ART_ID&lang=fr" \
        "${staff[@]}" -p "status,reason,article,lang"
    target newsroom-media -u "$BASE/redaction/medias?q=port" "${staff[@]}" -p "q"
    # JSON API
    target api-list -u "$BASE/api/v1/articles?section=$SECTION&lang=fr&page=1&per_page=5" "${noheaders[@]}"
    target api-article -u "$BASE/api/v1/articles/$ART_ID*" "${bearer[@]}"
    target api-create -u "$BASE/api/v1/articles" "${bearer[@]}" "${noheaders[@]}" \
        --data '{"title":"Essai sqlmap","lead":"Chapeau","body_markdown":"Texte court.","section":"'"$SECTION"'","language":"fr","slug":"essai-sqlmap","signature":"Gazette","tags":["essai"],"status":"draft"}'
fi

common=(--batch --ignore-stdin "${LEVEL[@]}" --technique=BEUST --time-sec 2 --timeout 10 --retries 1
    --disable-coloring)

# SQLMAP_ONLY=name,name runs only those targets (e.g. again after a finding).
if [ -n "${SQLMAP_ONLY:-}" ]; then
    kept_names=()
    kept_argv=()
    for i in "${!names[@]}"; do
        if [[ ",$SQLMAP_ONLY," == *",${names[$i]},"* ]]; then
            kept_names+=("${names[$i]}")
            kept_argv+=("${argv[$i]}")
        fi
    done
    [ ${#kept_names[@]} -gt 0 ] || die "SQLMAP_ONLY=$SQLMAP_ONLY names no target; they are: ${names[*]}"
    names=("${kept_names[@]}")
    argv=("${kept_argv[@]}")
fi

# A log line without its time and level.
clean() { sed -E 's/^.*\[[0-9]{2}:[0-9]{2}:[0-9]{2}\] (\[[A-Z]+\] )?//' | sort -u; }

# --- Run -----------------------------------------------------------------------------------------
mkdir -p "$WORK/sqlmap"
deadline=$(($(date +%s) + TIME))
count=${#names[@]}
summary=()
found=0
broken=0
cut=0
say "running sqlmap on $count targets (at most ${TIME}s in all)…"
for i in "${!names[@]}"; do
    name=${names[$i]}
    eval "args=(${argv[$i]})"
    out=$WORK/sqlmap/$(printf '%02d' $((i + 1)))-$name
    mkdir -p "$out"
    now=$(date +%s)
    left=$((deadline - now))
    if [ "$left" -lt 15 ]; then
        summary+=("$name: not run, SQLMAP_TIME (${TIME}s) was spent")
        cut=1
        continue
    fi
    # A fair share of what is left, up to twice it when earlier targets finished early.
    share=$((2 * left / (count - i)))
    [ "$share" -le "$left" ] || share=$left
    started=$now
    rc=0
    TERM=dumb timeout --signal=INT --kill-after=15 "$share" \
        sqlmap "${common[@]}" --output-dir "$out" "${args[@]}" >"$out/stdout.txt" 2>&1 </dev/null || rc=$?
    took=$(($(date +%s) - started))
    log=$out/stdout.txt

    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        # Input that stops the server is a finding too (a way to take the site down).
        summary+=("$name: FINDING: the server stopped during this target (see server.log)")
        found=1
        break
    fi
    # sqlmap first says a parameter "appears to be injectable", then checks that it is not a
    # false positive: it either says "is vulnerable" (confirmed) or "false positive or
    # unexploitable injection point detected". A hit left unchecked when the time share ran out
    # counts as a finding: nothing ruled it out.
    confirmed=$(grep -E "' is vulnerable|identified the following injection point" "$log" | clean || true)
    tentative=$(grep -E "appears to be '.*' injectable" "$log" | clean || true)
    n_tentative=$(grep -cE "appears to be '.*' injectable" "$log" || true)
    n_ruled_out=$(grep -c "false positive or unexploitable injection point detected" "$log" || true)
    n_tentative=${n_tentative:-0}
    n_ruled_out=${n_ruled_out:-0}
    reflected=$(grep -E "might be vulnerable to (cross-site scripting|file inclusion)" "$log" | clean || true)
    errors=$(grep -E '\[CRITICAL\]' "$log" \
        | grep -vE 'do not appear to be injectable|page not found \(404\)|user aborted|going to retry' | clean || true)
    codes=$(grep -A1 'HTTP error codes detected during run' "$log" | tail -n 1 | tr -d '\r' || true)
    hints=$(grep -oE "parameter '[^']*' might be injectable" "$log" | sort -u | sed "s/ might be injectable//" \
        | paste -sd, - || true)

    line="$name:"
    if [ -n "$confirmed" ]; then
        while IFS= read -r f; do
            summary+=("$name: FINDING (confirmed by sqlmap): $f")
        done <<<"${tentative:-$confirmed}"
        found=1
        line=""
    elif [ "$n_tentative" -gt "$n_ruled_out" ]; then
        while IFS= read -r f; do
            summary+=("$name: FINDING (not confirmed: sqlmap stopped before checking it): $f")
        done <<<"$tentative"
        found=1
        line=""
    fi
    if [ -n "$reflected" ]; then
        while IFS= read -r f; do summary+=("$name: FINDING: $f"); done <<<"$reflected"
        found=1
        line=""
    fi
    if [[ "$codes" == *"500 (Internal Server Error)"* ]]; then
        summary+=("$name: FINDING: the server answered 500 to sqlmap's input ($codes); see server.log")
        found=1
        line=""
    fi
    if [ -n "$errors" ]; then
        while IFS= read -r e; do summary+=("$name: ERROR: $e"); done <<<"$errors"
        broken=1
        line=""
    fi
    if [ -n "$line" ]; then
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
            line="$line stopped after ${took}s (its time share); no injection found in what was tested"
            cut=1
        else
            line="$line no injection found (${took}s)"
        fi
        [ "$n_ruled_out" = 0 ] || line="$line; $n_ruled_out hit(s) ruled out by sqlmap as false positives"
        [ -z "$hints" ] || line="$line; heuristic hints that did not hold: $hints"
        summary+=("$line")
    fi
done

echo
echo "sqlmap $(sqlmap --version 2>/dev/null | sed -n 1p) against Gazette, ${LEVEL[*]}, $count targets:"
printf '  %s\n' "${summary[@]}"
if [ "$found" = 1 ]; then
    status=1
    echo "RESULT: findings (details in $WORK/sqlmap/*/stdout.txt)"
elif [ "$broken" = 1 ]; then
    status=2
    echo "RESULT: some targets could not be tested"
else
    status=0
    if [ "$cut" = 1 ]; then
        echo "RESULT: no finding, but the run was cut short by SQLMAP_TIME=${TIME}s (raise it to test everything)"
    else
        echo "RESULT: no finding"
    fi
fi
exit "$status"
}
