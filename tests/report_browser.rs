//! The HTML report opened in a real headless browser (Debian's `chromium`): the page renders
//! its tables and its chart, a screenshot is taken, and the browser logs no console error.
//! `.ci/run` installs chromium when it is missing; so does this test, as root, rather than skip.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{EXAMPLE, Env};

/// The browser, installed from Debian's packages when missing (never skipped).
fn chromium() -> PathBuf {
    let path = PathBuf::from("/usr/bin/chromium");
    if !path.exists() {
        let installed = Command::new("sh")
            .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(installed && path.exists(), "chromium is needed for this test: apt-get install chromium");
    }
    path
}

/// Runs headless chromium on `url` with `extra` flags; returns (stdout, stderr).
fn browse(extra: &[String], url: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_html_report_renders_in_a_real_browser() {
    let env = Env::with_definition(EXAMPLE);
    env.run(["simulate", "--duration", "2d", "--no-chart", "--report", "report.html"])
        .code(0)
        .stderr_has("report written to report.html");
    let html = env.read_text("report.html");
    // Self-contained: no script, and nothing fetched (the SVG's xmlns is a name, not a fetch).
    for fetch in ["<script", "<link", "src=", "href=", "url("] {
        assert!(!html.contains(fetch), "the report has {fetch}");
    }
    let url = format!("file://{}", env.path("report.html").display());

    let (dom, log) = browse(&["--dump-dom".to_owned()], &url);
    for part in [
        "<table id=\"summary\"",
        "<figure id=\"chart\">",
        "<svg",
        "<polyline",
        "<table id=\"cost\"",
        "<table id=\"events\"",
    ] {
        assert!(dom.contains(part), "the rendered page lacks {part}");
    }
    assert!(dom.contains("web: total demand"), "the chart's titles render");
    assert!(!log.contains("CONSOLE") && !log.contains("Uncaught"), "console errors:\n{log}");

    let shot = env.path("report.png");
    browse(&[format!("--screenshot={}", shot.display()), "--window-size=1200,2400".to_owned()], &url);
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot, {} bytes", png.len());
}
