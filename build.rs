//! Tells the tests which outside services this build runs them against, so that a variant
//! that cannot run here shows as "ignored" (with the reason) rather than as a quiet "ok":
//! `postgres_tests` when `GAZETTE_TEST_POSTGRES_URL` is set, `browser_tests` when
//! `GAZETTE_TEST_BROWSER=1` (CI sets both; see `.ci/run`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rustc-check-cfg=cfg(browser_tests)");
    println!("cargo::rerun-if-env-changed=GAZETTE_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-env-changed=GAZETTE_TEST_BROWSER");
    if std::env::var("GAZETTE_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
    if std::env::var("GAZETTE_TEST_BROWSER").is_ok_and(|on| on == "1") {
        println!("cargo::rustc-cfg=browser_tests");
    }
}
