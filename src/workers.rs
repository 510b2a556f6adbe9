//! Batch mode on several threads: statements evaluated ahead, their results printed in order.
//!
//! The main thread parses each statement and hands it to a worker with the
//! names as they stand at that point, or, while the workers have enough to
//! do, evaluates it itself. It evaluates `let` itself, so the statements
//! after a `let` see its name. Results are printed in the order of
//! the statements by the session's own [`Session::emit`], so the output is the
//! same, byte for byte, as one statement at a time. A statement that reads or
//! writes a file, or changes the format, waits until everything before it is
//! printed and then runs in the session: files are touched in order, and a
//! run that stops at a failure touches none after it.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::num::NonZero;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use crate::db::Database;
use crate::query::ast::{Spanned, Statement};
use crate::query::eval::{self, Env};
use crate::query::parse::Chunk;
use crate::session::{rendered, Done, Printed, Run, Session};

/// The fewest statements worth starting threads for.
pub const FROM_STATEMENTS: usize = 8;

/// Statements evaluated ahead of the one being printed, per worker: enough
/// to keep each busy, few enough to bound the memory of results not yet printed.
const AHEAD_PER_WORKER: usize = 8;

/// Results printed later than they were evaluated are held in memory up to
/// this many bytes of text; past it, the main thread waits for the oldest.
const MOST_HELD_BYTES: usize = 16 << 20;

/// The most workers batch mode starts, whatever the machine has.
const MOST_WORKERS: usize = 8;

/// Threads for batch mode, the main one included: one per core the process may use.
pub fn available() -> usize {
    thread::available_parallelism().map_or(1, NonZero::get).min(MOST_WORKERS)
}

/// A statement for a worker, with the session as it stands before it.
struct Job {
    stmt: Spanned<Statement>,
    env: Env,
    reply: SyncSender<Done>,
}

/// A statement waiting to be printed.
enum Pending {
    Ready(Done),
    Evaluating(Receiver<Done>),
}

/// Rendered texts already printed, given back to the workers for their memory.
type Buffers = Mutex<Vec<String>>;

/// Runs `chunks` of `run`'s source on [`Session::workers`] threads.
pub(crate) fn run(
    session: &mut Session,
    run: &mut Run,
    chunks: &[Chunk],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    let (db, src, width) = (session.db, run.src, session.width);
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Mutex::new(queue);
    let buffers = Buffers::default();
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        for _ in 1..session.workers {
            scope.spawn(|| work(db, src, width, &queue, &buffers, &stop));
        }
        let result = lead(session, run, chunks, &jobs, &buffers, out, err);
        // Statements still queued after a stop are not evaluated.
        stop.store(true, Ordering::Relaxed);
        drop(jobs);
        result
    })
}

/// A worker: evaluates and renders statements until there are no more.
fn work(
    db: &Database,
    src: &str,
    width: Option<usize>,
    queue: &Mutex<Receiver<Job>>,
    buffers: &Buffers,
    stop: &AtomicBool,
) {
    loop {
        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(Job { stmt, env, reply }) = job else { return };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        // The run may have stopped, and no longer waits for it.
        let _ = reply.send(answer(db, src, width, &stmt, env, buffers));
    }
}

/// Evaluates a statement that changes nothing in the session and touches no
/// file, in `env`, a view of the session (so it has no warnings: only a
/// Statement of Applicability read gives one).
fn answer(
    db: &Database,
    src: &str,
    width: Option<usize>,
    stmt: &Spanned<Statement>,
    mut env: Env,
    buffers: &Buffers,
) -> Done {
    let buf = buffers.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_default();
    let result = eval::eval(db, &mut env, stmt, src);
    let result = rendered(result, &stmt.node, env.format, width, buf);
    Done { warnings: Vec::new(), vars: None, result }
}

/// The main thread: parses, hands out, and prints in order.
fn lead(
    session: &mut Session,
    run: &mut Run,
    chunks: &[Chunk],
    jobs: &Sender<Job>,
    buffers: &Buffers,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    let handed_out_most = (session.workers - 1) * AHEAD_PER_WORKER;
    // Results kept for printing: many, so that the main thread seldom waits.
    let most = 4 * session.workers * AHEAD_PER_WORKER;
    let mut handed_out = 0;
    let mut pending = VecDeque::new();
    let mut ahead = session.env.ahead();
    for &chunk in chunks {
        let item = match session.parse(run.src, chunk) {
            Err(e) => Pending::Ready(Done::failed(e)),
            Ok(stmt) if stmt.node.touches_files() || matches!(stmt.node, Statement::Format(_)) => {
                if print(session, run, &mut pending, 0, buffers, out, err)?.is_none() {
                    return Ok(());
                }
                handed_out = 0;
                let done = session.evaluate(&stmt, run.src);
                ahead = session.env.ahead();
                Pending::Ready(done)
            }
            Ok(stmt) if matches!(stmt.node, Statement::Let { .. }) => {
                let result = eval::eval(session.db, &mut ahead, &stmt, run.src);
                let result = rendered(result, &stmt.node, ahead.format, session.width, String::new());
                Pending::Ready(Done { warnings: Vec::new(), vars: Some(Arc::clone(&ahead.vars)), result })
            }
            Ok(stmt) if handed_out >= handed_out_most => {
                Pending::Ready(answer(session.db, run.src, session.width, &stmt, ahead.ahead(), buffers))
            }
            Ok(stmt) => {
                let (reply, answered) = mpsc::sync_channel(1);
                if jobs.send(Job { stmt, env: ahead.ahead(), reply }).is_err() {
                    // Every worker has ended, which only a panic does: the scope reports it.
                    return Ok(());
                }
                handed_out += 1;
                Pending::Evaluating(answered)
            }
        };
        pending.push_back((chunk, item));
        let Some(printed) = print(session, run, &mut pending, most, buffers, out, err)? else { return Ok(()) };
        handed_out -= printed;
    }
    print(session, run, &mut pending, 0, buffers, out, err)?;
    Ok(())
}

/// Prints the statements at the front whose results are ready, waiting for
/// them while more than `most` are pending, or too many bytes are held. Returns how many of those printed
/// a worker evaluated, or `None` when the run stops.
fn print(
    session: &mut Session,
    run: &mut Run,
    pending: &mut VecDeque<(Chunk, Pending)>,
    most: usize,
    buffers: &Buffers,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Option<usize>> {
    let mut handed_out = 0;
    while let Some((chunk, item)) = pending.pop_front() {
        let done = match item {
            Pending::Ready(done) => done,
            Pending::Evaluating(answer) => {
                handed_out += 1;
                let answered = if pending.len() >= most || held(pending) > MOST_HELD_BYTES {
                    answer.recv().ok()
                } else {
                    match answer.try_recv() {
                        Ok(done) => Some(done),
                        Err(TryRecvError::Empty) => {
                            pending.push_front((chunk, Pending::Evaluating(answer)));
                            return Ok(Some(handed_out - 1));
                        }
                        Err(TryRecvError::Disconnected) => None,
                    }
                };
                // A worker ended without answering, which only a panic does: the scope reports it.
                let Some(done) = answered else { return Ok(None) };
                done
            }
        };
        let go_on = session.emit(run, chunk, done, out, err)?;
        let buf = std::mem::take(&mut session.buf);
        if buf.capacity() > 0 {
            buffers.lock().unwrap_or_else(PoisonError::into_inner).push(buf);
        }
        if !go_on {
            return Ok(None);
        }
    }
    Ok(Some(handed_out))
}

/// The bytes of the results evaluated and waiting to be printed.
fn held(pending: &VecDeque<(Chunk, Pending)>) -> usize {
    let text = |p: &Pending| match p {
        Pending::Ready(Done { result: Ok(Printed::Result(text) | Printed::Said(text)), .. }) => text.len(),
        _ => 0,
    };
    pending.iter().map(|(_, p)| text(p)).sum()
}
