//! A newspaper's own theme: templates and static files replaced file by file from a folder,
//! without rebuilding; a broken template gives the site's 500 page, not a stack trace.

use crate::support::{EngineChoice, TempDir, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_theme_folder_overrides_templates_and_static_files() {
    let theme = TempDir::new("theme");
    std::fs::create_dir_all(theme.path().join("templates/pages")).unwrap();
    std::fs::create_dir_all(theme.path().join("static")).unwrap();
    std::fs::write(
        theme.path().join("templates/pages/privacy.html"),
        "{% extends \"layout.html\" %}{% block main %}<p class=\"own\">Notre charte, à notre façon : {{ text|length > 0 }}</p>{% endblock %}",
    )
    .unwrap();
    std::fs::write(
        theme.path().join("templates/pages/search.html"),
        "{% extends \"layout.html\" %}{% block main %}{{ broken( }}{% endblock %}",
    )
    .unwrap();
    std::fs::write(theme.path().join("static/site.css"), "body { background: #000; }").unwrap();
    let dir = theme.path().display().to_string();
    let app = TestApp::new_with(EngineChoice::Sqlite, |c| c.theme.dir = dir).await.unwrap();

    let privacy = app.get("/confidentialite").await;
    assert_eq!(privacy.status, 200);
    assert!(privacy.body.contains("Notre charte, à notre façon : True"), "the theme's template: {}", privacy.body);
    assert!(privacy.body.contains("<html lang=\"fr\""), "with the built-in layout around it");

    let front = app.get("/").await.body;
    let start = front.find("/static/site.").unwrap();
    let href = &front[start..start + front[start..].find('"').unwrap()];
    let css = app.get(href).await;
    assert_eq!(css.body, "body { background: #000; }", "the theme's stylesheet under a hashed name");

    let broken = app.get("/recherche").await;
    assert_eq!(broken.status, 500);
    assert!(broken.body.contains("Erreur du serveur"), "the site's own 500 page");
    assert!(broken.body.contains("<html lang=\"fr\""));
    assert!(!broken.body.contains("syntax error") && !broken.body.contains("broken("), "no internals shown");
    app.cleanup().await;
}
