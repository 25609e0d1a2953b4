//! Azurite, Microsoft's Azure Storage emulator (the npm package `azurite`), for the team-state
//! tests: installed once per build directory with npm (with `@azure/storage-blob` for the test
//! client), started per test on a free loopback port in a temporary directory, stopped when
//! dropped. Nothing is skipped: without Node.js and npm the tests fail and say why.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tempfile::TempDir;

const AZURITE: &str = "azurite@3.37.0";
const SDK: &str = "@azure/storage-blob@12.34.0";
/// Azurite's documented development account and key.
pub const ACCOUNT: &str = "devstoreaccount1";
pub const KEY: &str = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Where the packages are installed: beside the build, kept between runs.
fn install_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("azurite-3.37.0")
}

/// Installs the packages once (tests in this binary wait for the first to finish).
fn installed() -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = install_dir();
    let ready = dir.join("node_modules/.bin/azurite-blob");
    if ready.exists() && dir.join("node_modules/@azure/storage-blob").exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).expect("create the Azurite directory");
    let out = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
        .arg(&dir)
        .args([AZURITE, SDK])
        .output()
        .unwrap_or_else(|e| panic!("the team-state tests need Node.js and npm to install {AZURITE}: {e}"));
    assert!(
        out.status.success() && ready.exists(),
        "npm install {AZURITE} {SDK} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// A running Azurite blob service.
pub struct Azurite {
    child: Option<Child>,
    pub port: u16,
    data: TempDir,
}

impl Azurite {
    /// Starts Azurite on a free loopback port with a fresh data directory.
    pub fn start() -> Self {
        let data = tempfile::tempdir().expect("Azurite data directory");
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let mut azurite = Self { child: None, port, data };
        azurite.restart();
        azurite
    }

    /// Starts it again, on the same port and data, after [`Azurite::stop`].
    pub fn restart(&mut self) {
        let dir = installed();
        let child = Command::new(dir.join("node_modules/.bin/azurite-blob"))
            .args(["--blobHost", "127.0.0.1", "--blobPort", &self.port.to_string(), "--location"])
            .arg(self.data.path())
            .args(["--silent", "--skipApiVersionCheck", "--disableProductStyleUrl"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start azurite-blob");
        self.child = Some(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("azurite-blob exited at start: {status}");
            }
            assert!(started.elapsed() < Duration::from_secs(60), "azurite-blob did not listen within 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the service as a host shutting it down would (SIGTERM: Azurite saves its
    /// metadata, so a restart finds the blobs), and kills it if it lingers.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let started = Instant::now();
            while child.try_wait().ok().flatten().is_none() && started.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The connection string the portal would give for this account.
    pub fn connection_string(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};\
             BlobEndpoint=http://127.0.0.1:{}/{ACCOUNT};",
            self.port
        )
    }

    /// `az://devstoreaccount1/CONTAINER/BLOB`.
    pub fn url(container: &str, blob: &str) -> String {
        format!("az://{ACCOUNT}/{container}/{blob}")
    }

    /// Runs the test client (`azure-blob-client.js`) with `args`.
    pub fn client(&self, args: &[&str]) -> std::process::Output {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/azure-blob-client.js");
        Command::new("node")
            .arg(script)
            .args(args)
            .env("NODE_PATH", installed().join("node_modules"))
            .env("AZURE_STORAGE_CONNECTION_STRING", self.connection_string())
            .output()
            .expect("run node")
    }

    pub fn create_container(&self, name: &str) {
        let out = self.client(&["create-container", name]);
        assert!(out.status.success(), "create container: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// A blob's bytes, or `None`.
    pub fn get(&self, container: &str, blob: &str) -> Option<Vec<u8>> {
        let out = self.client(&["get", container, blob]);
        match out.status.code() {
            Some(0) => Some(out.stdout),
            Some(3) => None,
            _ => panic!("get {blob}: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }

    /// Uploads `bytes` as a blob, replacing it.
    pub fn put(&self, container: &str, blob: &str, bytes: &[u8]) {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), bytes).expect("write");
        let out = self.client(&["put", container, blob, &file.path().to_string_lossy()]);
        assert!(out.status.success(), "put {blob}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        self.stop();
    }
}
