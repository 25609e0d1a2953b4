//! The `scaleset` binary: parse the command line, run, map the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match scaleset::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { scaleset::exit::USAGE } else { scaleset::exit::OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match scaleset::commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`scaleset list | head -1`) is not an error worth a word.
            let broken_pipe = |c: &(dyn std::error::Error + 'static)| {
                c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                    // With -o json the io::Error arrives wrapped in serde_json's error.
                    || c.downcast_ref::<serde_json::Error>()
                        .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            };
            if err.chain().any(broken_pipe) {
                return ExitCode::SUCCESS;
            }
            let color = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb");
            let prefix = if color { "\x1b[1;31merror:\x1b[0m" } else { "error:" };
            let mut stderr = std::io::stderr().lock();
            let mut message = err.to_string();
            for cause in err.chain().skip(1) {
                message.push_str(&format!("\n  caused by: {cause}"));
            }
            // Names and values from a hostile file could carry terminal escapes: show them inert.
            let mut shown = String::with_capacity(message.len());
            for c in message.chars() {
                if c.is_control() && c != '\n' && c != '\t' {
                    shown.extend(c.escape_default());
                } else {
                    shown.push(c);
                }
            }
            let _ = writeln!(stderr, "{prefix} {shown}");
            scaleset::exit::code_for(&err)
        }
    }
}
