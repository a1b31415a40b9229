//! `gazette demo --articles 500000`: a 20-year archive for measuring, generated fast.
//!
//! The text is made of words drawn from a Zipf distribution over a vocabulary per language
//! (common words and many rarer proper nouns, as news has), assembled into a pool of
//! paragraphs whose search tokens are computed once; an article is a handful of those
//! paragraphs. Rows go in with multi-row inserts, a transaction per batch, with explicit ids
//! (the sequences are moved past them at the end), so the database does little more than
//! write. Progress and rate are shown on standard error.

use std::collections::BTreeMap;
use std::time::Instant;

use sqlx::Row;

use crate::news::Lang;
use crate::news::text::index_tokens;
use crate::store::search::{self, IndexRow};
use crate::store::{Db, Engine, StoreError, StoreResult, Tx, col, now_ms};

/// What to generate.
#[derive(Clone, Debug)]
pub struct ArchiveOptions {
    pub articles: u64,
    pub comments_per_article: u64,
    pub sections: usize,
    pub tags: usize,
    pub authors: usize,
    pub years: i64,
}

impl ArchiveOptions {
    pub fn new(articles: u64) -> ArchiveOptions {
        ArchiveOptions { articles, comments_per_article: 4, sections: 40, tags: 3000, authors: 200, years: 20 }
    }
}

/// A small fast generator (xorshift64*): the archive is the same for the same size.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FR_WORDS: &str = "le la les de des du un une et à en pour sur dans par avec au aux est sont a ont été plus \
    selon cette ce ces qui que dont mais aussi entre après avant depuis lors contre sans sous vers chez \
    gouvernement ministre projet loi budget réforme ville région pays marché prix croissance emploi \
    entreprise secteur port énergie eau santé école université hôpital police justice tribunal élection \
    parlement député conseil commune maire président royaume sécurité accord coopération développement \
    investissement exportation importation agriculture tourisme culture festival musique cinéma livre \
    football match équipe championnat sélection stade saison victoire défaite joueur entraîneur \
    habitants citoyens jeunes femmes enfants familles travailleurs syndicats associations \
    nouveau nouvelle grand grande premier première dernier dernière national nationale public publique \
    annonce lancement ouverture hausse baisse programme plan stratégie décision mesure enquête rapport \
    chiffres millions milliards dirhams pourcentage année mois semaine jour hier aujourd'hui demain";
const EN_WORDS: &str = "the of and to in a for on is was with by at from as that this it be are has have \
    said after before since during against without under over between about more new first last \
    government minister project law budget reform city region country market price growth jobs \
    company sector port energy water health school university hospital police court election \
    parliament council mayor president kingdom security agreement cooperation development investment \
    exports imports farming tourism culture festival music film book football match team league \
    stadium season win defeat player coach residents citizens young women children families workers \
    unions groups national public announced launch opening rise fall plan strategy decision measure \
    inquiry report figures million billion dirhams percent year month week day yesterday today tomorrow";
const AR_WORDS: &str = "في من على إلى أن عن مع هذا هذه التي الذي بعد قبل خلال بين حول أكثر كما وقد \
    الحكومة الوزير المشروع القانون الميزانية الإصلاح المدينة الجهة البلاد السوق الأسعار النمو الشغل \
    الشركة القطاع الميناء الطاقة الماء الصحة المدرسة الجامعة المستشفى الشرطة العدالة المحكمة الانتخابات \
    البرلمان المجلس الجماعة الرئيس المملكة الأمن الاتفاق التعاون التنمية الاستثمار الصادرات الواردات \
    الفلاحة السياحة الثقافة المهرجان الموسيقى السينما الكتاب كرة القدم المباراة الفريق البطولة المنتخب \
    الملعب الموسم الفوز الهزيمة اللاعب المدرب السكان المواطنين الشباب النساء الأطفال الأسر العمال \
    النقابات الجمعيات الجديد الجديدة الكبير الأول الأخير الوطني العمومي أعلن إطلاق افتتاح ارتفاع \
    انخفاض البرنامج المخطط الاستراتيجية القرار الإجراء البحث التقرير الأرقام مليون مليار درهم \
    المائة السنة الشهر الأسبوع اليوم أمس غدا";
const SYLLABLES_LATIN: &[&str] = &[
    "ben", "al", "ma", "ra", "ka", "ta", "za", "ni", "lo", "ha", "mi", "sa", "dou", "fa", "ya", "ou", "el", "ri", "ja",
    "na",
];
const SYLLABLES_AR: &[&str] =
    &["بن", "ال", "مر", "سل", "كر", "حس", "ني", "فا", "زه", "رش", "يد", "عل", "ما", "نو", "قا", "دي"];

/// A language's vocabulary with Zipf weights, and its paragraph pool with search tokens.
struct Language {
    lang: Lang,
    words: Vec<String>,
    cumulative: Vec<f64>,
    paragraphs: Vec<(String, String, usize)>,
}

impl Language {
    fn new(lang: Lang, rng: &mut Rng) -> Language {
        let (base, syllables) = match lang {
            Lang::Fr => (FR_WORDS, SYLLABLES_LATIN),
            Lang::En => (EN_WORDS, SYLLABLES_LATIN),
            Lang::Ar => (AR_WORDS, SYLLABLES_AR),
        };
        let mut words: Vec<String> = base.split_whitespace().map(str::to_string).collect();
        // Thousands of rarer names (people, places, companies), as an archive has.
        for _ in 0..6000 {
            let n = 2 + rng.below(2);
            let mut name: String = (0..n).map(|_| syllables[rng.below(syllables.len())]).collect();
            if lang != Lang::Ar
                && let Some(first) = name.get(..1).map(str::to_uppercase)
            {
                name = format!("{first}{}", &name[1..]);
            }
            words.push(name);
        }
        let mut total = 0.0;
        let cumulative = (0..words.len())
            .map(|i| {
                total += 1.0 / (i as f64 + 2.0);
                total
            })
            .collect();
        let mut language = Language { lang, words, cumulative, paragraphs: Vec::new() };
        for _ in 0..3000 {
            let sentences = 3 + rng.below(4);
            let mut text = String::new();
            let mut count = 0;
            for _ in 0..sentences {
                let length = 10 + rng.below(12);
                let sentence = language.phrase(rng, length);
                count += length;
                text.push_str(&sentence);
                text.push_str(". ");
            }
            let tokens = index_tokens(&text, lang);
            language.paragraphs.push((text.trim().to_string(), tokens, count));
        }
        language
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = (rng.next() % 1_000_000) as f64 / 1_000_000.0 * total;
        let i = self.cumulative.partition_point(|c| *c < x).min(self.words.len() - 1);
        &self.words[i]
    }

    fn phrase(&self, rng: &mut Rng, length: usize) -> String {
        let words: Vec<&str> = (0..length).map(|_| self.word(rng)).collect();
        let mut text = words.join(" ");
        if self.lang != Lang::Ar
            && let Some(first) = text.get(..1).map(str::to_uppercase)
        {
            text = format!("{first}{}", &text[1..]);
        }
        text
    }
}

/// One generated article, ready for the inserts.
struct Generated {
    id: i64,
    slug: String,
    section_id: i64,
    lang: Lang,
    title: String,
    lead: String,
    body_markdown: String,
    body_html: String,
    publish_at: i64,
    media_id: Option<i64>,
    authors: Vec<i64>,
    tags: Vec<i64>,
    tokens: (String, String, String, String),
    reads: i64,
    likes: i64,
}

/// A multi-row insert: `insert into table (cols) values (...), (...)`. PostgreSQL gets `$n`
/// placeholders; SQLite gets plain `?`, bound in order: sqlx looks each numbered parameter up
/// by name, which SQLite answers by walking its list of names, so a statement with thousands
/// of `$n` spent a quarter of the generator's time there.
fn insert_sql(engine: Engine, table: &str, columns: &[&str], rows: usize, suffix: &str) -> String {
    let values = crate::store::dialect::values_list(engine, columns.len(), rows, &|marks| marks.join(", "));
    format!("insert into {table} ({}) values {values}{suffix}", columns.join(", "))
}

/// Generates the archive on top of the demo newspaper. Does nothing if the database already
/// holds at least as many articles.
pub async fn generate(db: &Db, media_dir: &std::path::Path, options: &ArchiveOptions) -> StoreResult<String> {
    crate::demo::load(db, media_dir).await?;
    let existing: i64 = col(&sqlx::query("select count(*) as n from articles").fetch_one(db.reader()).await?, "n")?;
    if existing as u64 >= options.articles {
        return Ok(format!("the archive is already there: {existing} articles"));
    }
    let started = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ options.articles);
    let section_ids = ensure_sections(db, options.sections).await?;
    let author_ids = ensure_authors(db, options.authors).await?;
    let tags = ensure_tags(db, options.tags, &mut rng).await?;
    let media_ids: Vec<i64> = sqlx::query("select id from media order by id")
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect::<StoreResult<_>>()?;
    eprintln!("preparing the text pools…");
    let languages: Vec<Language> = tokio::task::spawn_blocking(move || {
        let mut rng = Rng(42);
        [Lang::Fr, Lang::Ar, Lang::En].into_iter().map(|l| Language::new(l, &mut rng)).collect()
    })
    .await
    .map_err(|e| StoreError::Other(e.to_string()))?;
    let languages = std::sync::Arc::new(languages);
    let first_id: i64 =
        col(&sqlx::query("select coalesce(max(id), 0) + 1 as n from articles").fetch_one(db.reader()).await?, "n")?;
    let first_comment: i64 =
        col(&sqlx::query("select coalesce(max(id), 0) + 1 as n from comments").fetch_one(db.reader()).await?, "n")?;
    let to_make = options.articles - existing as u64;
    let now = now_ms();
    let span = options.years * 365 * 86_400_000;
    let batch_size: u64 = 500;
    let mut bar = crate::progress::Progress::new("articles", to_make);
    let mut made: u64 = 0;
    let mut comments_made: u64 = 0;
    let tag_names: std::sync::Arc<Vec<(i64, String)>> = std::sync::Arc::new(tags);
    let section_ids = std::sync::Arc::new(section_ids);
    let author_ids = std::sync::Arc::new(author_ids);
    let media_ids = std::sync::Arc::new(media_ids);
    while made < to_make {
        let count = batch_size.min(to_make - made);
        let start_id = first_id + made as i64;
        let (langs, sections, authors, tags, media) =
            (languages.clone(), section_ids.clone(), author_ids.clone(), tag_names.clone(), media_ids.clone());
        let seed = rng.next();
        let made_before = made;
        // Text for a batch is made on the blocking pool while the previous batch was written.
        let batch: Vec<Generated> = tokio::task::spawn_blocking(move || {
            let mut rng = Rng(seed | 1);
            (0..count as i64)
                .map(|k| {
                    let id = start_id + k;
                    let roll = rng.below(10);
                    let language = &langs[if roll < 7 {
                        0
                    } else if roll < 9 {
                        1
                    } else {
                        2
                    }];
                    let title_length = 6 + rng.below(7);
                    let title = language.phrase(&mut rng, title_length);
                    let lead_length = 20 + rng.below(20);
                    let lead = language.phrase(&mut rng, lead_length);
                    let target = 300 + rng.below(1200);
                    let (mut words, mut markdown, mut html, mut tokens) =
                        (0, String::new(), String::new(), String::new());
                    while words < target {
                        let (text, toks, n) = &language.paragraphs[rng.below(language.paragraphs.len())];
                        markdown.push_str(text);
                        markdown.push_str("\n\n");
                        html.push_str("<p>");
                        html.push_str(&crate::news::text::escape_html(text));
                        html.push_str("</p>\n");
                        tokens.push_str(toks);
                        tokens.push(' ');
                        words += n;
                    }
                    let article_tags: Vec<(i64, String)> =
                        (0..1 + rng.below(3)).map(|_| tags[rng.below(tags.len())].clone()).collect();
                    let mut tag_ids: Vec<i64> = article_tags.iter().map(|(id, _)| *id).collect();
                    tag_ids.sort_unstable();
                    tag_ids.dedup();
                    let tag_text = article_tags.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(" ");
                    let mut article_authors = vec![authors[rng.below(authors.len())]];
                    if rng.below(5) == 0 {
                        let second = authors[rng.below(authors.len())];
                        if second != article_authors[0] {
                            article_authors.push(second);
                        }
                    }
                    // In publication order, as a real archive grew, and denser in recent
                    // years (the density grows linearly with time).
                    let fraction = (made_before + k as u64) as f64 / to_make as f64;
                    let jitter = (rng.next() % 600_000) as i64;
                    let publish_at = now - span + (fraction.sqrt() * span as f64) as i64 - 3_600_000 - jitter;
                    let reads = (rng.next() % 3000) as i64;
                    Generated {
                        id,
                        slug: format!("{}-{id}", crate::news::slug::slugify(&title)),
                        section_id: sections[rng.below(sections.len())],
                        lang: language.lang,
                        tokens: (
                            index_tokens(&title, language.lang),
                            index_tokens(&lead, language.lang),
                            tokens,
                            index_tokens(&tag_text, language.lang),
                        ),
                        title,
                        lead,
                        body_markdown: markdown,
                        body_html: html,
                        publish_at,
                        media_id: if media.is_empty() || rng.below(3) == 0 {
                            None
                        } else {
                            Some(media[rng.below(media.len())])
                        },
                        authors: article_authors,
                        tags: tag_ids,
                        reads,
                        likes: reads / 20,
                    }
                })
                .collect()
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?;
        let mut tx = db.begin().await?;
        write_batch(&mut tx, db.engine(), &batch).await?;
        comments_made += write_comments(
            &mut tx,
            db.engine(),
            &batch,
            first_comment + comments_made as i64,
            options.comments_per_article,
            &mut rng,
        )
        .await?;
        tx.commit().await?;
        made += count;
        bar.show(made, made, "articles");
    }
    bar.done(made, made, "articles");
    finish(db).await?;
    Ok(format!(
        "generated {made} articles and {comments_made} comments in {:.0} s ({:.0} articles/s)",
        started.elapsed().as_secs_f64(),
        made as f64 / started.elapsed().as_secs_f64().max(0.001)
    ))
}

async fn write_batch(tx: &mut Tx, engine: Engine, batch: &[Generated]) -> StoreResult<()> {
    let now = now_ms();
    const COLUMNS: [&str; 18] = [
        "id",
        "slug",
        "section_id",
        "language",
        "translation_group",
        "title",
        "lead",
        "body_markdown",
        "body_html",
        "signature",
        "status",
        "publish_at",
        "first_published_at",
        "featured_media_id",
        "comments_mode",
        "version",
        "created_at",
        "updated_at",
    ];
    for chunk in batch.chunks(100) {
        let sql = insert_sql(engine, "articles", &COLUMNS, chunk.len(), "");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in chunk {
            query = query
                .bind(a.id)
                .bind(a.slug.clone())
                .bind(a.section_id)
                .bind(a.lang.code())
                .bind(a.id)
                .bind(a.title.clone())
                .bind(a.lead.clone())
                .bind(a.body_markdown.clone())
                .bind(a.body_html.clone())
                .bind("Gazette")
                .bind("published")
                .bind(a.publish_at)
                .bind(a.publish_at)
                .bind(a.media_id)
                .bind("open")
                .bind(1i64)
                .bind(a.publish_at)
                .bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    let authors: Vec<(i64, i64, i64)> =
        batch.iter().flat_map(|a| a.authors.iter().enumerate().map(move |(p, u)| (a.id, *u, p as i64))).collect();
    for chunk in authors.chunks(1000) {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_sql(
            engine,
            "article_authors",
            &["article_id", "user_id", "position"],
            chunk.len(),
            "",
        )));
        for (a, u, p) in chunk {
            query = query.bind(*a).bind(*u).bind(*p);
        }
        query.execute(&mut **tx).await?;
    }
    let tags: Vec<(i64, i64, i64)> =
        batch.iter().flat_map(|a| a.tags.iter().enumerate().map(move |(p, t)| (a.id, *t, p as i64))).collect();
    for chunk in tags.chunks(1000) {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_sql(
            engine,
            "article_tags",
            &["article_id", "tag_id", "position"],
            chunk.len(),
            "",
        )));
        for (a, t, p) in chunk {
            query = query.bind(*a).bind(*t).bind(*p);
        }
        query.execute(&mut **tx).await?;
    }
    for chunk in batch.chunks(1000) {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_sql(
            engine,
            "article_stats",
            &["article_id", "reads", "likes", "updated_at"],
            chunk.len(),
            "",
        )));
        for a in chunk {
            query = query.bind(a.id).bind(a.reads).bind(a.likes).bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    // Recent articles get per-day counts, for "most read".
    let tz = chrono_tz::Africa::Casablanca;
    let recent: Vec<&Generated> = batch.iter().filter(|a| now - a.publish_at < 8 * 86_400_000).collect();
    for chunk in recent.chunks(500) {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_sql(
            engine,
            "article_daily_stats",
            &["article_id", "day", "reads", "likes", "updated_at"],
            chunk.len(),
            " on conflict (article_id, day) do nothing",
        )));
        for a in chunk {
            query = query
                .bind(a.id)
                .bind(crate::render::dates::local_day(a.publish_at, tz))
                .bind(a.reads)
                .bind(a.likes)
                .bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    let rows: Vec<IndexRow> = batch
        .iter()
        .map(|a| IndexRow {
            article_id: a.id,
            title: a.tokens.0.clone(),
            lead: a.tokens.1.clone(),
            body: a.tokens.2.clone(),
            tags: a.tokens.3.clone(),
            facets: search::facets(a.lang, a.section_id),
        })
        .collect();
    search::insert_rows(tx, engine, &rows).await?;
    Ok(())
}

const COMMENT_TEXTS: [&str; 12] = [
    "Merci pour cet article très complet.",
    "Je ne partage pas cet avis, les chiffres disent autre chose.",
    "Enfin une bonne nouvelle pour la région.",
    "Il faudrait suivre ce dossier de près.",
    "مقال مفيد، شكرا على المعلومات.",
    "نتمنى أن تتحسن الأوضاع قريبا.",
    "Useful summary, thank you.",
    "Where can I read the full report?",
    "Les habitants attendent des actes, pas des promesses.",
    "Bravo à l'équipe pour cette saison.",
    "Une analyse claire et mesurée.",
    "Qui financera ce projet ?",
];

async fn write_comments(
    tx: &mut Tx,
    engine: Engine,
    batch: &[Generated],
    first_id: i64,
    per_article: u64,
    rng: &mut Rng,
) -> StoreResult<u64> {
    const COLUMNS: [&str; 12] = [
        "id",
        "article_id",
        "author_name",
        "author_email",
        "author_website",
        "body",
        "language",
        "status",
        "screening",
        "ip_hash",
        "created_at",
        "updated_at",
    ];
    let mut rows = Vec::new();
    let mut id = first_id;
    for article in batch {
        let n = rng.below(per_article as usize * 2 + 1);
        for k in 0..n {
            let status = match rng.below(20) {
                0 => "pending",
                1 => "refused",
                2 => "spam",
                _ => "approved",
            };
            let text = COMMENT_TEXTS[rng.below(COMMENT_TEXTS.len())];
            let at = article.publish_at + (k as i64 + 1) * 1_800_000;
            rows.push((
                id,
                article.id,
                format!("Lecteur {}", rng.below(5000)),
                format!("lecteur{}@archive.example", rng.below(5000)),
                text,
                status,
                at,
            ));
            id += 1;
        }
    }
    for chunk in rows.chunks(500) {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_sql(engine, "comments", &COLUMNS, chunk.len(), "")));
        for (id, article, name, email, text, status, at) in chunk {
            query = query
                .bind(*id)
                .bind(*article)
                .bind(name.clone())
                .bind(email.clone())
                .bind("")
                .bind(text.to_string())
                .bind("fr")
                .bind(status.to_string())
                .bind("{}")
                .bind("")
                .bind(*at)
                .bind(*at);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(rows.len() as u64)
}

/// Moves PostgreSQL's sequences past the explicit ids, and refreshes the planners' statistics.
async fn finish(db: &Db) -> StoreResult<()> {
    match db.engine() {
        Engine::Postgres => {
            for table in ["articles", "comments", "users", "sections", "tags"] {
                let sql = format!(
                    "select setval(pg_get_serial_sequence('{table}', 'id'), coalesce((select max(id) from {table}), 1))"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(db.writer()).await?;
            }
            sqlx::query("analyze").execute(db.writer()).await?;
        }
        Engine::Sqlite => {
            sqlx::query("analyze").execute(db.writer()).await?;
        }
    }
    search::optimize(db).await
}

async fn ensure_sections(db: &Db, wanted: usize) -> StoreResult<Vec<i64>> {
    let existing: Vec<i64> = sqlx::query("select id from sections order by id")
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect::<StoreResult<_>>()?;
    const REGIONS: [(&str, &str, &str); 12] = [
        ("casablanca", "Casablanca", "الدار البيضاء"),
        ("rabat", "Rabat", "الرباط"),
        ("marrakech", "Marrakech", "مراكش"),
        ("fes", "Fès", "فاس"),
        ("tanger", "Tanger", "طنجة"),
        ("agadir", "Agadir", "أكادير"),
        ("oujda", "Oujda", "وجدة"),
        ("laayoune", "Laâyoune", "العيون"),
        ("meknes", "Meknès", "مكناس"),
        ("tetouan", "Tétouan", "تطوان"),
        ("kenitra", "Kénitra", "القنيطرة"),
        ("beni-mellal", "Béni Mellal", "بني ملال"),
    ];
    const TOPICS: [(&str, &str, &str); 19] = [
        ("societe", "Société", "مجتمع"),
        ("sante", "Santé", "صحة"),
        ("education", "Éducation", "تعليم"),
        ("environnement", "Environnement", "بيئة"),
        ("technologie", "Technologie", "تكنولوجيا"),
        ("justice", "Justice", "عدالة"),
        ("agriculture", "Agriculture", "فلاحة"),
        ("medias", "Médias", "إعلام"),
        ("automobile", "Automobile", "سيارات"),
        ("immobilier", "Immobilier", "عقار"),
        ("emploi", "Emploi", "شغل"),
        ("sciences", "Sciences", "علوم"),
        ("religion", "Religion", "دين"),
        ("diaspora", "Diaspora", "مغاربة العالم"),
        ("faits-divers", "Faits divers", "حوادث"),
        ("people", "People", "مشاهير"),
        ("voyage", "Voyage", "سفر"),
        ("afrique", "Afrique", "إفريقيا"),
        ("histoire", "Histoire", "تاريخ"),
    ];
    let mut tx = db.begin().await?;
    let new_sections = TOPICS.iter().chain(REGIONS.iter()).take(wanted.saturating_sub(existing.len()));
    for (position, (slug, fr, ar)) in (existing.len() as i64..).zip(new_sections) {
        let names =
            BTreeMap::from([(Lang::Fr, fr.to_string()), (Lang::Ar, ar.to_string()), (Lang::En, fr.to_string())]);
        crate::store::sections::upsert(
            &mut tx,
            &crate::store::sections::NewSection {
                slug,
                parent_id: None,
                position,
                names: &names,
                descriptions: &BTreeMap::new(),
                kind: "news",
            },
        )
        .await?;
    }
    tx.commit().await?;
    sqlx::query("select id from sections order by id")
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect()
}

async fn ensure_authors(db: &Db, wanted: usize) -> StoreResult<Vec<i64>> {
    const FIRST: [&str; 20] = [
        "Amina", "Youssef", "Salma", "Karim", "Nadia", "Omar", "Leila", "Hicham", "Sara", "Mehdi", "Imane", "Rachid",
        "Hajar", "Anas", "Khadija", "Reda", "Zineb", "Hamza", "Meryem", "Ilyas",
    ];
    const LAST: [&str; 10] =
        ["Alaoui", "Benali", "Chraibi", "Idrissi", "Tazi", "Bennani", "Fassi", "Amrani", "Ouazzani", "Berrada"];
    let count: i64 = col(&sqlx::query("select count(*) as n from users").fetch_one(db.reader()).await?, "n")?;
    let mut tx = db.begin().await?;
    for n in count as usize..wanted {
        let name = format!("{} {}", FIRST[n % FIRST.len()], LAST[(n / FIRST.len()) % LAST.len()]);
        let email = format!("auteur{n}@archive.example");
        crate::store::users::insert(
            &mut tx,
            &crate::store::users::NewUser {
                email: &email,
                name: &name,
                role: crate::news::Role::Journalist,
                password_hash: None,
                bio: "",
            },
        )
        .await?;
    }
    tx.commit().await?;
    sqlx::query("select id from users where role <> 'moderator' order by id")
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect()
}

async fn ensure_tags(db: &Db, wanted: usize, rng: &mut Rng) -> StoreResult<Vec<(i64, String)>> {
    let engine = db.engine();
    let count: i64 = col(&sqlx::query("select count(*) as n from tags").fetch_one(db.reader()).await?, "n")?;
    if (count as usize) < wanted {
        let mut language =
            Language { lang: Lang::Fr, words: Vec::new(), cumulative: Vec::new(), paragraphs: Vec::new() };
        language.words = FR_WORDS.split_whitespace().filter(|w| w.chars().count() > 4).map(str::to_string).collect();
        let mut tx = db.begin().await?;
        let now = now_ms();
        let mut n = 0;
        let rows: Vec<(String, String)> = (count as usize..wanted)
            .map(|_| {
                n += 1;
                let a = &language.words[rng.below(language.words.len())];
                let b = &language.words[rng.below(language.words.len())];
                let name = format!("{a} {b} {n}");
                (crate::news::slug::slugify(&name), name)
            })
            .collect();
        for chunk in rows.chunks(500) {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_sql(
                engine,
                "tags",
                &["slug", "name", "created_at", "updated_at"],
                chunk.len(),
                " on conflict (slug) do nothing",
            )));
            for (slug, name) in chunk {
                query = query.bind(slug.clone()).bind(name.clone()).bind(now).bind(now);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    let rows = sqlx::query("select id, name from tags order by id").fetch_all(db.reader()).await?;
    rows.iter().map(|r| Ok((r.try_get::<i64, _>("id")?, r.try_get::<String, _>("name")?))).collect()
}
