//! The `scaleset` binary: parse the command line, run, map the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use scaleset::exit::Failure;

fn main() -> ExitCode {
    // `COMPLETE=bash scaleset` prints the shell's completion code; the shell then calls back
    // with the words typed, and set names and instance IDs come from the state.
    clap_complete::CompleteEnv::with_factory(<scaleset::cli::Cli as clap::CommandFactory>::command).complete();
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
            let failure = Failure::from(err);
            if let Some(message) = failure.message() {
                let color = std::io::stderr().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb");
                let prefix = if color { "\x1b[1;31merror:\x1b[0m" } else { "error:" };
                // Names and values from a hostile file could carry terminal escapes: show them inert.
                let mut shown = String::with_capacity(message.len());
                for c in message.chars() {
                    if c.is_control() && c != '\n' && c != '\t' {
                        shown.extend(c.escape_default());
                    } else {
                        shown.push(c);
                    }
                }
                let _ = writeln!(std::io::stderr().lock(), "{prefix} {shown}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
