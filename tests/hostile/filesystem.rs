//! A hostile filesystem: a directory that cannot be written, a full disk, a state path that is
//! a symbolic link (followed: the target is replaced atomically and shares one lock with every
//! other way of naming it), a link loop, a link to a directory.
//!
//! Unwritable directory and full disk need the kernel's help: permission bits where they bind,
//! else (as root) a read-only bind mount; a small tmpfs for the full disk. Where neither can be
//! had, the test says so on stderr and passes without checking.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::clean_failure;
use crate::support::temporaries;
use crate::support::{Env, STATE, WEB};

/// Something done to the filesystem, undone on drop (even when the test fails).
struct Undo(Box<dyn FnMut()>);

impl Drop for Undo {
    fn drop(&mut self) {
        (self.0)();
    }
}

fn run(program: &str, args: &[&str], at: &Path) -> Result<(), String> {
    let out = Command::new(program).args(args).arg(at).output().map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{program} {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

fn unmount(at: PathBuf) -> Undo {
    Undo(Box::new(move || {
        let _ = Command::new("umount").arg("-l").arg(&at).status();
    }))
}

/// Makes `dir` unwritable: by its permission bits if they bind this user, else by mounting it
/// read-only over itself. `None` (with a note) when neither works here.
fn make_unwritable(dir: &Path) -> Option<Undo> {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let restore = {
        let dir = dir.to_path_buf();
        Undo(Box::new(move || {
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
        }))
    };
    if std::fs::File::create(dir.join("probe")).is_err() {
        return Some(restore);
    }
    drop(restore);
    let _ = std::fs::remove_file(dir.join("probe"));
    // Root: permission bits do not stop it. A read-only bind mount does.
    let bound = run("mount", &["--bind", &dir.display().to_string()], dir);
    if let Err(e) = bound {
        eprintln!("note: skipped the unwritable-directory check: permission bits do not bind here and {e}");
        return None;
    }
    let undo = unmount(dir.to_path_buf());
    if let Err(e) = run("mount", &["-o", "remount,bind,ro"], dir) {
        eprintln!("note: skipped the unwritable-directory check: {e}");
        return None;
    }
    Some(undo)
}

#[test]
fn an_unwritable_directory_fails_cleanly_and_reads_still_work() {
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--by=+1"]).code(0);
    let (state, backup) = (env.state_bytes(), env.read("scalesets.state.json.backup"));
    let Some(_unwritable) = make_unwritable(env.root()) else { return };
    for args in [&["scale", "web", "--by=+1"][..], &["advance", "1m"], &["apply"]] {
        let out = clean_failure(env.run(args), 74, "unwritable directory");
        let reason = ["Read-only file system (os error 30)", "Permission denied (os error 13)"];
        assert!(reason.iter().any(|r| out.stderr.contains(r)), "{args:?}: {}", out.stderr);
        assert!(out.stderr.starts_with("error: cannot "), "{}", out.stderr);
    }
    env.run(["list", "-o", "json"]).code(0);
    env.run(["instances", "web"]).code(0).stdout_has("web_3");
    assert_eq!(env.state_bytes(), state);
    assert_eq!(env.read("scalesets.state.json.backup"), backup);
    assert_eq!(temporaries(env.root()), Vec::<String>::new());
}

/// Writes into `path` until the disk is full.
fn fill(path: &Path) {
    let mut filler = OpenOptions::new().create(true).append(true).open(path).expect("filler");
    let chunk = vec![0x55u8; 4096];
    while filler.write_all(&chunk).is_ok() {}
    let _ = filler.sync_all();
}

#[test]
fn a_full_disk_fails_cleanly_and_leaves_the_state_whole() {
    let env = Env::new();
    let small = env.path("small");
    std::fs::create_dir(&small).unwrap();
    if let Err(e) = run("mount", &["-t", "tmpfs", "-o", "size=256k", "tmpfs"], &small) {
        eprintln!("note: skipped the full-disk check: cannot mount a small tmpfs here ({e})");
        return;
    }
    let _unmount = unmount(small.clone());
    env.write("small/scalesets.yaml", WEB.replace("capacity: 3", "capacity: 100"));
    let at = ["-f", "small/scalesets.yaml", "--state", "small/scalesets.state.json"];
    let with = |args: &[&'static str]| at.iter().chain(args).copied().collect::<Vec<&str>>();
    env.run(with(&["apply"])).code(0);
    env.run(with(&["scale", "web", "--by=-1"])).code(0);
    let state = env.read("small/scalesets.state.json");
    let backup = env.read("small/scalesets.state.json.backup");
    assert!(state.len() > 16 * 1024, "a state big enough to need several pages");

    // Full to the last byte, then with room for half the new state: both fail cleanly.
    fill(&small.join("filler"));
    for room in [0, state.len() as u64 / 2] {
        if room > 0 {
            let filler = small.join("filler");
            let len = std::fs::metadata(&filler).unwrap().len();
            OpenOptions::new().write(true).open(&filler).unwrap().set_len(len - room).unwrap();
        }
        for args in [&["scale", "web", "--by=+1"][..], &["advance", "1m"], &["delete", "web", "--instances", "0"]] {
            let out = clean_failure(env.run(with(args)), 74, "disk full");
            assert!(out.stderr.contains("No space left on device (os error 28)"), "{args:?}: {}", out.stderr);
        }
        assert_eq!(env.read("small/scalesets.state.json"), state, "the state is whole and unchanged");
        assert_eq!(env.read("small/scalesets.state.json.backup"), backup);
        assert_eq!(temporaries(&small), Vec::<String>::new(), "a failed write removes its temporary file");
        env.run(with(&["list"])).code(0).stdout_has("web");
    }

    // Room again: the state goes on where it was.
    std::fs::remove_file(small.join("filler")).unwrap();
    env.run(with(&["scale", "web", "--by=+1"])).code(0).stderr_lacks("took over");
    assert_eq!(env.read("small/scalesets.state.json.backup"), state);
}

#[test]
fn a_symlinked_state_is_followed_and_replaced_at_its_target() {
    let env = Env::with_definition(WEB);
    std::fs::create_dir(env.path("real")).unwrap();
    symlink("real/state.json", env.path(STATE)).unwrap();

    // Created through a link to a file that does not exist yet: at the target.
    env.run(["apply"]).code(0);
    env.run(["scale", "web", "--by=+1"]).code(0);
    let link = std::fs::symlink_metadata(env.path(STATE)).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    assert_eq!(std::fs::read_link(env.path(STATE)).unwrap(), Path::new("real/state.json"));
    assert!(env.exists("real/state.json.backup") && env.exists("real/state.json.lock"));
    assert!(!env.exists("scalesets.state.json.backup") && !env.exists("scalesets.state.json.lock"));
    let state = env.read("real/state.json");
    assert_eq!(env.state_bytes(), state);
    assert_eq!(env.set("web")["capacity"], 4);

    // The link and the target share one lock: a holder through one holds off the other.
    let lock = OpenOptions::new().read(true).write(true).open(env.path("real/state.json.lock")).unwrap();
    lock.lock().unwrap();
    env.run(["--lock-timeout", "0s", "scale", "web", "--by=+1"]).code(75);
    env.run(["--state", "real/state.json", "--lock-timeout", "0s", "scale", "web", "--by=+1"]).code(75);
    lock.unlock().unwrap();
    env.run(["--state", "real/state.json", "scale", "web", "--by=+1"]).code(0);
    env.run(["scale", "web", "--by=+1"]).code(0);
    assert_eq!(env.set("web")["capacity"], 6);
    assert_eq!(std::fs::read_dir(env.path("real")).unwrap().count(), 3, "state, backup and lock, no temporaries");
}

#[test]
fn a_link_loop_or_a_link_to_a_directory_is_refused() {
    let env = Env::with_definition(WEB);
    symlink("b.json", env.path("a.json")).unwrap();
    symlink("a.json", env.path("b.json")).unwrap();
    for args in [&["--state", "a.json", "list"][..], &["--state", "a.json", "apply"]] {
        let out = clean_failure(env.run(args), 74, "link loop");
        assert!(out.stderr.contains("Too many levels of symbolic links (os error 40)"), "{}", out.stderr);
    }
    std::fs::create_dir(env.path("states")).unwrap();
    symlink("states", env.path("dir-link")).unwrap();
    for args in [&["--state", "dir-link", "list"][..], &["--state", "dir-link", "apply"]] {
        clean_failure(env.run(args), 74, "link to a directory")
            .stderr_is("error: state path dir-link is a directory; give a file path with --state\n");
    }
    assert_eq!(std::fs::read_dir(env.path("states")).unwrap().count(), 0, "nothing written inside it");
}
