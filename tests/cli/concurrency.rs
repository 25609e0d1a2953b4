//! Many processes changing one state at once: the lock serialises them, nothing is lost.

use crate::support::{Env, WEB};

#[test]
fn twenty_concurrent_scales_all_land() {
    let env = Env::applied(&WEB.replace("capacity: 3", "capacity: 2"));
    let serial = env.serial();
    let children: Vec<std::process::Child> = (0..20)
        .map(|_| {
            env.command(["--start-time", "2026-01-05T08:00:00Z", "--seed", "1", "scale", "web", "--by", "+1"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs: Vec<std::process::Output> =
        children.into_iter().map(|c| c.wait_with_output().expect("wait")).collect();
    for out in &outputs {
        assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    }
    let web = env.set("web");
    assert_eq!(web["capacity"], 22, "every +1 counted");
    assert_eq!(env.serial(), serial + 20, "one change each");
    assert_eq!(env.ids("web"), (0..22).collect::<Vec<u64>>(), "no ID handed out twice");
    // Each process saw a distinct capacity before its change.
    let mut froms: Vec<u32> = outputs
        .iter()
        .map(|o| {
            let err = String::from_utf8_lossy(&o.stderr).into_owned();
            let from =
                err.split("scaled out from ").nth(1).expect("a scale-out line").split(' ').next().unwrap().to_owned();
            from.parse().unwrap()
        })
        .collect();
    froms.sort_unstable();
    assert_eq!(froms, (2..22).collect::<Vec<u32>>());
}
