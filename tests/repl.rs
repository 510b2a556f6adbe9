//! The interactive shell, driven through a pseudo-terminal as a person would use it.

use rexpect::session::spawn_command;
use std::process::Command;

fn shell() -> rexpect::session::PtySession {
    let dir = std::env::temp_dir().join(format!("crosswalk-repl-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crosswalk"));
    cmd.arg("repl").env("CROSSWALK_HISTORY", dir.join("history.txt")).env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(10_000)).expect("the shell starts");
    p.exp_string("crosswalk> ").expect("a prompt");
    p
}

#[test]
fn completes_a_control_id_recovers_from_an_error_and_leaves_on_ctrl_d() {
    let mut p = shell();
    // Tab completes the only id that starts `P8.` in SOC 2 (named by its alias).
    p.send("show tsc:P8.").unwrap();
    p.send("\t").unwrap();
    p.send_line("").unwrap();
    p.exp_string("soc2:P8.1").expect("the completed id was shown");
    p.exp_string("crosswalk> ").unwrap();
    // An error does not end the session.
    p.send_line("show soc2:CC61").unwrap();
    p.exp_string("did you mean `CC6.1`?").expect("the error with its suggestion");
    p.exp_string("crosswalk> ").unwrap();
    p.send_line("list soc2 where series = CC8").unwrap();
    p.exp_string("Change management process").expect("the next query runs");
    p.exp_string("crosswalk> ").unwrap();
    // A statement over two lines: the open brace asks for more.
    p.send_line("list iso27001{5.1,").unwrap();
    p.send_line("8.24}").unwrap();
    p.exp_string("Use of cryptography").expect("the multi-line statement ran");
    p.exp_string("crosswalk> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().expect("Ctrl-D leaves");
}

#[test]
fn ctrl_c_clears_the_line_and_the_format_can_be_switched() {
    let mut p = shell();
    p.send("show soc2:CC6.1").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("crosswalk> ").unwrap();
    p.send_line("format csv").unwrap();
    p.exp_string("output format: csv").unwrap();
    p.send_line("list soc2 where series = CC8").unwrap();
    p.exp_string("soc2,CC8.1,").expect("CSV output");
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_terminal_sees_control_characters_escaped_and_survives_deep_nesting() {
    let dir = std::env::temp_dir().join(format!("crosswalk-repl-test-cc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crosswalk"));
    cmd.args(["--data", "tests/data/control-characters", "repl"])
        .env("CROSSWALK_HISTORY", dir.join("history.txt"))
        .env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000)).expect("the shell starts");
    p.exp_string("crosswalk> ").unwrap();
    // A title holding a colour code is shown escaped in a table on the terminal.
    p.send_line("list alpha").unwrap();
    p.exp_string("Access \\u{1b}[31mred\\u{1b}[0m").expect("the escape sequence made visible");
    p.exp_string("crosswalk> ").unwrap();
    // 100 levels of brackets over `\` continuation lines: an error, and the shell goes on.
    for _ in 0..100 {
        p.send_line("list (\\").unwrap();
    }
    p.send_line(&format!("alpha{}", ")".repeat(100))).unwrap();
    p.exp_string("the statement nests more than 64 levels deep").unwrap();
    p.exp_string("crosswalk> ").unwrap();
    p.send_line("show alpha:A2").unwrap();
    p.exp_string("Keeps backups.").expect("the next statement runs");
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn lines_typed_ahead_all_run_and_each_statement_is_in_the_history_at_once() {
    let dir = std::env::temp_dir().join(format!("crosswalk-repl-test-ahead-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let history = dir.join("history.txt");
    let _ = std::fs::remove_file(&history);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crosswalk"));
    cmd.arg("repl").env("CROSSWALK_HISTORY", &history).env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(10_000)).expect("the shell starts");
    p.exp_string("crosswalk> ").unwrap();
    // Two statements sent together, as a paste without bracketed paste sends them: both run.
    p.send("show soc2:CC8.1\nshow soc2:CC9.1\n").unwrap();
    p.exp_string("Change management process").expect("the first statement ran");
    p.exp_string("Business disruption risk mitigation").expect("the second statement ran too");
    p.exp_string("crosswalk> ").unwrap();
    // An open brace continues the statement under a prompt that says so.
    p.send_line("list iso27001{5.1,").unwrap();
    p.exp_string("...> ").expect("a continuation prompt");
    p.send_line("8.24}").unwrap();
    p.exp_string("Use of cryptography").unwrap();
    p.exp_string("crosswalk> ").unwrap();
    // The history holds each statement already, before the shell ends.
    let saved = std::fs::read_to_string(&history).unwrap_or_default();
    assert!(saved.contains("show soc2:CC9.1"), "history so far: {saved:?}");
    assert!(saved.contains("list iso27001{5.1,"), "a statement over two lines is one entry: {saved:?}");
    // `help` says how to leave.
    p.send_line("help").unwrap();
    p.exp_string("quit, exit or Ctrl-D").unwrap();
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}
