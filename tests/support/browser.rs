//! Real headless Chromium through Debian's chromedriver, driven by fantoccini.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

pub struct Browser {
    pub client: Client,
    driver: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (the test command installs chromium-driver)");
        let mut guard = DriverGuard(Some(driver));
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&url)
            .await
            .expect("a WebDriver session starts");
        std::mem::forget(profile);
        Browser {
            client,
            driver: guard.0.take().unwrap(),
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("no field {css}"));
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Clicks something that loads a new page, and waits until the new page is there.
    pub async fn click(&self, css: &str) {
        let old_page = self.client.find(Locator::Css("html")).await.unwrap();
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("nothing to click at {css}"))
            .click()
            .await
            .unwrap();
        for _ in 0..200 {
            if old_page.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        for _ in 0..200 {
            let ready = self
                .client
                .execute("return document.readyState", vec![])
                .await
                .ok();
            if ready.as_ref().and_then(|v| v.as_str()) == Some("complete") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Ticks a box or picks a radio button (no new page).
    pub async fn check(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("nothing to tick at {css}"))
            .click()
            .await
            .unwrap();
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("nothing at {css}"))
            .text()
            .await
            .unwrap()
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// Sets the window's width (390: a phone), keeping a tall window for screenshots.
    pub async fn width(&self, width: u32) {
        self.client.set_window_size(width, 900).await.unwrap();
    }

    /// Saves a screenshot as `<name>.png` under `$SCREENSHOTS_DIR`, when it is set (to look
    /// at the pages a test walks through); does nothing otherwise.
    pub async fn screenshot(&self, name: &str) {
        let Ok(dir) = std::env::var("SCREENSHOTS_DIR") else {
            return;
        };
        let png = self.client.screenshot().await.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }

    /// Ends the WebDriver session and stops chromedriver; call it even when a check failed.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
