//! Batch mode on several threads: statements evaluated ahead, their results printed in order.
//!
//! The main thread parses each statement and hands it to a worker with the
//! named sets it uses, as they stand at that point, or, while the workers
//! have enough to do, evaluates it itself. It always evaluates a `let`
//! itself, so that the statements after it see its name, and a statement
//! naming a set that does not exist, whose error suggests among all names. Results are
//! printed in the order of the statements by the session's own
//! [`Session::emit`], so the output is the same, byte for byte, as one
//! statement at a time. A statement that reads or writes a file, or changes
//! the format, waits until everything before it is printed and then runs in
//! the session: files are touched in order, and a run that stops at a
//! failure touches none after it.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};
use std::num::NonZero;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SendError, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use crate::db::Database;
use crate::query::ast::{Spanned, Statement};
use crate::query::eval::{self, Env};
use crate::query::parse::Chunk;
use crate::session::{rendered, Done, Printed, Run, Session};

/// The fewest statements worth starting threads for.
pub const FROM_STATEMENTS: usize = 8;

/// The most threads batch mode uses, the main one included, whatever the machine has.
pub const MOST_THREADS: usize = 8;

/// The stack the work needs, on the main thread and on each worker: statements
/// are refused before they could nest deeper than a small part of it (the
/// deepest allowed takes well under 2 MiB unoptimized).
pub const STACK_BYTES: usize = 8 * 1024 * 1024;

/// Statements handed to a worker and not yet printed, per worker: enough to
/// keep each busy, few enough that the main thread shares the work.
const HANDED_OUT_PER_WORKER: usize = 8;

/// Statements evaluated and waiting to be printed behind a slower one, at most.
const MOST_PENDING: usize = 64;

/// Results evaluated and waiting to be printed are held up to this many bytes
/// of text; past it, the main thread waits for the oldest before it goes on.
const MOST_HELD_BYTES: usize = 16 << 20;

/// Threads for batch mode, the main one included: one per core the process may use.
pub fn available() -> usize {
    thread::available_parallelism().map_or(1, NonZero::get).min(MOST_THREADS)
}

/// A statement for a worker, with the named sets it uses as they stand before it.
struct Job {
    stmt: Spanned<Statement>,
    env: Env,
    /// The source text the statement's spans point into.
    src: Arc<str>,
    /// Set when the run has stopped: the statement is not evaluated.
    stopped: Arc<AtomicBool>,
    reply: SyncSender<Done>,
}

/// A statement waiting to be printed.
enum Pending {
    Ready(Box<Done>),
    Evaluating(Receiver<Done>),
}

/// Rendered texts already printed, given back to the workers for their memory.
type Buffers = Mutex<Vec<String>>;

/// What the workers share with the main thread.
struct Shared<'db> {
    db: &'db Database,
    width: Option<usize>,
    queue: Mutex<Receiver<Job>>,
    buffers: Buffers,
}

/// The worker threads of a batch, shared by all its files: started the
/// first time a file has [`FROM_STATEMENTS`], ended with the batch.
pub struct Pool<'scope, 'env> {
    scope: &'scope thread::Scope<'scope, 'env>,
    shared: &'env Shared<'env>,
    /// Threads wanted, the main one included.
    threads: usize,
    /// Workers running, once started.
    workers: Option<usize>,
    jobs: Sender<Job>,
}

/// Runs `batch` with a pool of up to `threads` threads (the main one included)
/// for `db`'s statements, printed `width` wide.
pub fn pool<R>(
    db: &Database,
    width: Option<usize>,
    threads: usize,
    batch: impl for<'scope, 'env> FnOnce(&mut Pool<'scope, 'env>) -> R,
) -> R {
    let (jobs, queue) = mpsc::channel::<Job>();
    let shared = Shared { db, width, queue: Mutex::new(queue), buffers: Buffers::default() };
    thread::scope(|scope| {
        let mut pool = Pool { scope, shared: &shared, threads, workers: None, jobs };
        batch(&mut pool)
        // The pool, and with it the queue's sender, is dropped here: the workers end.
    })
}

impl Pool<'_, '_> {
    /// The workers, started the first time: `threads - 1`, fewer when the
    /// system refuses a thread (with none, the main thread does it all).
    fn workers(&mut self) -> usize {
        if let Some(n) = self.workers {
            return n;
        }
        let shared = self.shared;
        let started = (1..self.threads)
            .filter(|_| {
                let worker = thread::Builder::new().stack_size(STACK_BYTES);
                worker.spawn_scoped(self.scope, move || work(shared)).is_ok()
            })
            .count();
        *self.workers.insert(started)
    }
}

/// Runs `chunks` of `run`'s source with the threads of `pool`.
pub(crate) fn run(
    pool: &mut Pool,
    session: &mut Session,
    run: &mut Run,
    chunks: &[Chunk],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    let workers = pool.workers();
    let (src, stopped) = (Arc::from(run.src), Arc::new(AtomicBool::new(false)));
    let next = session.env.with_vars(session.env.vars.clone());
    let jobs = pool.jobs.clone();
    let pending = VecDeque::new();
    let buffers = &pool.shared.buffers;
    let mut lead = Lead { session, run, workers, jobs, buffers, src, stopped, pending, next, out, err };
    let result = lead.run(chunks);
    // Statements still queued after a stop are not evaluated.
    lead.stopped.store(true, Ordering::Relaxed);
    result
}

/// A worker: evaluates and renders statements until there are no more.
fn work(shared: &Shared) {
    loop {
        let job = shared.queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(Job { stmt, mut env, src, stopped, reply }) = job else { return };
        if stopped.load(Ordering::Relaxed) {
            continue;
        }
        let done = answer(shared.db, &src, shared.width, &stmt, &mut env, &shared.buffers);
        // The run may have stopped, and no longer waits for it.
        let _ = reply.send(done);
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
    env: &mut Env,
    buffers: &Buffers,
) -> Done {
    let buf = buffers.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_default();
    let result = eval::eval(db, env, stmt, src);
    let result = rendered(result, &stmt.node, env.format, width, buf);
    Done { warnings: Vec::new(), named: None, result }
}

/// The main thread's part: it parses, hands out, evaluates, and prints in order.
struct Lead<'l, 'db, 'src> {
    session: &'l mut Session<'db>,
    run: &'l mut Run<'src>,
    workers: usize,
    jobs: Sender<Job>,
    buffers: &'l Buffers,
    src: Arc<str>,
    stopped: Arc<AtomicBool>,
    /// The statements not yet printed, in order.
    pending: VecDeque<(Chunk, Pending)>,
    /// The session as the next statement sees it: with the names of the `let`s not yet printed.
    next: Env,
    out: &'l mut dyn Write,
    err: &'l mut dyn Write,
}

impl Lead<'_, '_, '_> {
    fn run(&mut self, chunks: &[Chunk]) -> io::Result<()> {
        for &chunk in chunks {
            let item = match self.session.parse(self.run.src, chunk) {
                Ok(stmt) => match self.hand(stmt)? {
                    Some(item) => item,
                    None => return Ok(()),
                },
                Err(e) => Pending::Ready(Box::new(Done::failed(e))),
            };
            self.pending.push_back((chunk, item));
            if !self.print(MOST_PENDING)? {
                return Ok(());
            }
        }
        self.print(0)?;
        Ok(())
    }

    /// Evaluates a statement here, or hands it to a worker. `None` when the run
    /// stopped while the statements before it were printed.
    fn hand(&mut self, stmt: Spanned<Statement>) -> io::Result<Option<Pending>> {
        let (db, src, width) = (self.session.db, self.run.src, self.session.width);
        if stmt.node.touches_files() || matches!(stmt.node, Statement::Format(_)) {
            if !self.print(0)? {
                return Ok(None);
            }
            let done = self.session.evaluate(&stmt, src);
            self.next.format = self.session.env.format;
            if let (Statement::Let { name, .. }, Ok(_)) = (&stmt.node, &done.result) {
                if let Some(set) = self.session.env.vars.get(&name.node) {
                    self.next.vars.insert(name.node.clone(), set.clone());
                }
            }
            return Ok(Some(Pending::Ready(Box::new(done))));
        }
        if let Statement::Let { name, .. } = &stmt.node {
            let result = eval::eval(db, &mut self.next, &stmt, src);
            let named =
                result.is_ok().then(|| self.next.vars.get(&name.node).map(|set| (name.node.clone(), set.clone())));
            let result = rendered(result, &stmt.node, self.next.format, width, String::new());
            let done = Done { warnings: Vec::new(), named: named.flatten(), result };
            return Ok(Some(Pending::Ready(Box::new(done))));
        }
        let evaluating = self.pending.iter().filter(|(_, p)| matches!(p, Pending::Evaluating(_))).count();
        // The sets it names, as they stand now; `None` for a name that does not exist,
        // whose error suggests among all names (so it is evaluated here).
        let names: Option<HashMap<_, _>> =
            stmt.node.names().into_iter().map(|n| Some((n.to_string(), self.next.vars.get(n)?.clone()))).collect();
        if let Some(vars) = names.filter(|_| evaluating < self.workers * HANDED_OUT_PER_WORKER) {
            let (reply, answered) = mpsc::sync_channel(1);
            let (src, stopped) = (Arc::clone(&self.src), Arc::clone(&self.stopped));
            match self.jobs.send(Job { stmt, env: self.next.with_vars(vars), src, stopped, reply }) {
                Ok(()) => return Ok(Some(Pending::Evaluating(answered))),
                // The queue lives as long as the pool; were it gone, the statement is evaluated here.
                Err(SendError(mut job)) => {
                    let done = answer(db, &job.src, width, &job.stmt, &mut job.env, self.buffers);
                    return Ok(Some(Pending::Ready(Box::new(done))));
                }
            }
        }
        Ok(Some(Pending::Ready(Box::new(answer(db, src, width, &stmt, &mut self.next, self.buffers)))))
    }

    /// Prints the statements at the front whose results are ready, waiting for
    /// them while more than `most` are pending, or too many bytes are held.
    /// `Ok(false)` when the run stops.
    fn print(&mut self, most: usize) -> io::Result<bool> {
        self.gather();
        while let Some((chunk, item)) = self.pending.pop_front() {
            let done = match item {
                Pending::Ready(done) => *done,
                Pending::Evaluating(answer) => {
                    let answered = if self.pending.len() >= most || held(&self.pending) > MOST_HELD_BYTES {
                        answer.recv().ok()
                    } else {
                        match answer.try_recv() {
                            Ok(done) => Some(done),
                            Err(TryRecvError::Empty) => {
                                self.pending.push_front((chunk, Pending::Evaluating(answer)));
                                return Ok(true);
                            }
                            Err(TryRecvError::Disconnected) => None,
                        }
                    };
                    // A worker ended without answering, which only a panic does: the scope reports it.
                    let Some(done) = answered else { return Ok(false) };
                    done
                }
            };
            let go_on = self.session.emit(self.run, chunk, done, self.out, self.err)?;
            let buf = self.session.spare_buffer();
            if buf.capacity() > 0 {
                self.buffers.lock().unwrap_or_else(PoisonError::into_inner).push(buf);
            }
            if !go_on {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

impl Lead<'_, '_, '_> {
    /// Takes the results the workers have finished, so that they count in what is held.
    fn gather(&mut self) {
        for (_, item) in self.pending.iter_mut() {
            if let Pending::Evaluating(answer) = item {
                if let Ok(done) = answer.try_recv() {
                    *item = Pending::Ready(Box::new(done));
                }
            }
        }
    }
}

/// The bytes of the results evaluated and waiting to be printed.
fn held(pending: &VecDeque<(Chunk, Pending)>) -> usize {
    let text = |p: &Pending| match p {
        Pending::Ready(done) => match &done.result {
            Ok(Printed::Result(text) | Printed::Said(text)) => text.len(),
            Err(_) => 0,
        },
        _ => 0,
    };
    pending.iter().map(|(_, p)| text(p)).sum()
}
