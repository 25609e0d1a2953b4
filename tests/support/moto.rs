//! moto's S3 server (the PyPI package `moto[server]`), for the S3 team-state tests: installed
//! once per build directory in a virtual environment, started per test on a free loopback
//! port, stopped when dropped. Nothing is skipped: without Python 3 and pip the tests fail and
//! say why.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MOTO: &str = "moto[server]==5.2.5";

fn install_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("moto-5.2.5")
}

/// The virtual environment's `bin` directory, installed once.
fn installed() -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = install_dir();
    let bin = dir.join("bin");
    if bin.join("moto_server").exists() {
        return bin;
    }
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd.output().unwrap_or_else(|e| panic!("the S3 tests need Python 3 with venv and pip ({what}): {e}"));
        assert!(
            out.status.success(),
            "{what} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(Command::new("python3").args(["-m", "venv"]).arg(&dir), "python3 -m venv");
    run(Command::new(bin.join("pip")).args(["install", "--quiet", "--disable-pip-version-check", MOTO]), "pip install");
    bin
}

/// A running moto S3 server.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Self {
        let bin = installed();
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = Command::new(bin.join("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let mut moto = Self { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto_server exited at start: {status}");
            }
            assert!(started.elapsed() < Duration::from_secs(60), "moto_server did not listen within 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        moto
    }

    /// The variables the AWS CLI (and scaleset) read to reach this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{}", self.port)),
        ]
    }

    /// Runs a Python snippet with boto3 (AWS's own SDK) and a client `s3` for this server.
    pub fn boto3(&self, snippet: &str) -> std::process::Output {
        let script = format!(
            "import boto3, sys\ns3 = boto3.client('s3', endpoint_url='http://127.0.0.1:{}', \
             aws_access_key_id='testing', aws_secret_access_key='testing', region_name='us-east-1')\n{snippet}\n",
            self.port
        );
        Command::new(installed().join("python")).args(["-c", &script]).output().expect("run python")
    }

    pub fn create_bucket(&self, name: &str) {
        let out = self.boto3(&format!("s3.create_bucket(Bucket='{name}')"));
        assert!(out.status.success(), "create bucket: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// An object's bytes, or `None`.
    pub fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let out = self.boto3(&format!(
            "try:\n    sys.stdout.buffer.write(s3.get_object(Bucket='{bucket}', Key='{key}')['Body'].read())\n\
             except s3.exceptions.NoSuchKey:\n    sys.exit(3)"
        ));
        match out.status.code() {
            Some(0) => Some(out.stdout),
            Some(3) => None,
            _ => panic!("get {key}: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }

    /// Replaces an object with `bytes` (given as hex to keep the snippet plain).
    pub fn put(&self, bucket: &str, key: &str, bytes: &[u8]) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let out = self.boto3(&format!("s3.put_object(Bucket='{bucket}', Key='{key}', Body=bytes.fromhex('{hex}'))"));
        assert!(out.status.success(), "put {key}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
