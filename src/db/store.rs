//! The compiled store: a validated database folder in one file, whose files a query reads only as it needs them.
//!
//! ```text
//! crosswalk store 1\n          the format line
//! LENGTH SHA256\n              the directory's length in bytes and its SHA-256
//! { directory as JSON }        each file's place, size and SHA-256; each mapping set's frameworks
//! file bytes ...               the folder's files, one after another
//! ```
//!
//! `crosswalk build DIR -o FILE` writes it once the folder validates
//! without an error. A query that names its frameworks (`coverage fw00 ->
//! fw01`) reads the catalogs and mapping sets among them only, each checked
//! against its SHA-256, and runs the same validation and index on them as
//! a folder's load: the answer is the folder's, byte for byte. A store whose
//! format, checksums or folder (when it is still there) differ from the
//! build's is refused with the reason; it is never read half-way.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::load::{self, SourceFile};
use crate::diag::{DataError, Error};
use crate::text::Text;

/// The first line of a store.
const MAGIC: &str = "crosswalk store 1\n";

/// Where each file of the folder lies in the store, and what it holds.
#[derive(Debug, Serialize, Deserialize)]
struct Directory {
    /// The folder's fingerprint, as its load computes it.
    sha256: String,
    /// The folder the store was built from, as the build was given it (files are
    /// named so in messages, as a load of the folder names them), and in full.
    shown: String,
    folder: PathBuf,
    files: Vec<Entry>,
    /// Framework names (keys and aliases, lower case) to keys.
    names: Vec<(String, String)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    rel: String,
    offset: u64,
    len: u64,
    sha256: String,
    /// The file's modification time in the folder, seconds and nanoseconds since 1970.
    modified: (u64, u32),
    /// For a mapping set, or the pairs a set leaves out: the frameworks its rows link (its two and its groups' members).
    frameworks: Vec<String>,
}

/// An open store.
#[derive(Debug)]
pub struct Store {
    file: std::fs::File,
    shown: String,
    dir: Directory,
}

/// Whether `path` is a store, of this format or another: a file that starts with `crosswalk store `.
pub fn is_store(path: &Path) -> bool {
    const PREFIX: &[u8] = b"crosswalk store ";
    let mut head = [0u8; PREFIX.len()];
    path.is_file() && std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && head == PREFIX
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn modified(path: &Path) -> (u64, u32) {
    let time = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let since = time.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).unwrap_or_default();
    (since.as_secs(), since.subsec_nanos())
}

/// Compiles the database folder `dir` into the store `out`; refused with every error when the folder has any.
/// Returns the number of files and the store's size.
pub fn build(dir: &Path, out: &Path) -> Result<(usize, u64), Error> {
    if dir.is_file() {
        let why = "is a file; build takes a database folder (catalogs/ and mapping sets), and writes the store to -o";
        return Err(Error::io(dir.display().to_string(), std::io::Error::new(std::io::ErrorKind::NotADirectory, why)));
    }
    // A store is rebuilt in place, an empty file filled; any other file is left alone (a mistyped `-o` would lose it).
    if std::fs::symlink_metadata(out).is_ok_and(|m| m.is_file() && m.len() > 0) && !is_store(out) {
        let why = "exists and is not a store, so it is not replaced; remove it, or write the store to another file";
        return Err(Error::io(out.display().to_string(), std::io::Error::new(std::io::ErrorKind::AlreadyExists, why)));
    }
    let (db, errors) = super::load_with_errors(super::DataSource::Dir(dir))?;
    if !errors.is_empty() {
        return Err(Error::Data(errors));
    }
    let (files, errors) = load::dir_files(dir)?;
    if !errors.is_empty() {
        return Err(Error::Data(errors));
    }
    let mut entries = Vec::with_capacity(files.len());
    let mut offset = 0;
    for f in &files {
        let len = f.text.len() as u64;
        let frameworks = set_frameworks(&db, &f.rel);
        let path = dir.join(&f.rel);
        entries.push(Entry {
            rel: f.rel.clone(),
            offset,
            len,
            sha256: sha256(f.text.as_bytes()),
            modified: modified(&path),
            frameworks,
        });
        offset += len;
    }
    let names = db
        .frameworks
        .iter()
        .flat_map(|fw| std::iter::once(&fw.key).chain(&fw.aliases).map(|n| (n.to_ascii_lowercase(), fw.key.clone())))
        .collect();
    let folder = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let shown = dir.display().to_string();
    let directory = Directory { sha256: db.sha256.clone(), shown, folder, files: entries, names };
    let json = serde_json::to_string(&directory).map_err(|e| Error::io(out.display().to_string(), e.into()))?;
    let mut bytes = format!("{MAGIC}{} {}\n{json}", json.len(), sha256(json.as_bytes())).into_bytes();
    for f in &files {
        bytes.extend_from_slice(f.text.as_bytes());
    }
    let otherwise = "remove it, or write the store to another file";
    crate::output::export::write_atomically(out, &bytes, false, otherwise)
        .map_err(|e| Error::io(out.display().to_string(), e))?;
    Ok((files.len(), bytes.len() as u64))
}

/// The frameworks a mapping set's rows (or its left-out pairs) link: its two, and its groups' members'.
fn set_frameworks(db: &super::Database, rel: &str) -> Vec<String> {
    let name = rel.strip_prefix("left-out/").unwrap_or(rel);
    if name.contains('/') || !name.ends_with(".csv") || rel.starts_with("catalogs/") {
        return Vec::new();
    }
    let Some(set) = db.sets.iter().position(|s| s.file.rsplit('/').next() == Some(name)) else { return Vec::new() };
    let s = &db.sets[set];
    let mut fws: BTreeSet<String> = [s.source, s.target].iter().map(|&f| db.framework(f).key.clone()).collect();
    for &m in &s.rows {
        for c in db.mappings[m as usize].sources() {
            fws.insert(db.key_of(c).to_string());
        }
    }
    fws.into_iter().collect()
}

impl Store {
    /// Opens a store and reads its directory; a store of another format, damaged, or older than its folder is refused.
    pub fn open(path: &Path) -> Result<Store, Error> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| Error::io(&shown, e))?;
        let damaged = |why: &str| damaged(&shown, why);
        let size = file.metadata().map_err(|e| Error::io(&shown, e))?.len();
        let (start, len, sum) = header(&file, &shown, size)?;
        let mut json = vec![0u8; len as usize];
        file.read_exact_at(&mut json, start).map_err(|e| Error::io(&shown, e))?;
        if sha256(&json) != sum {
            return Err(damaged("its directory does not match its checksum"));
        }
        let mut dir: Directory = serde_json::from_slice(&json).map_err(|_| damaged("damaged directory"))?;
        let base = start + len;
        for e in &mut dir.files {
            e.offset = e
                .offset
                .checked_add(base)
                .filter(|&o| o.saturating_add(e.len) <= size)
                .ok_or_else(|| damaged("truncated"))?;
        }
        let store = Store { file, shown, dir };
        store.check_folder()?;
        Ok(store)
    }
}

/// The error for a store that cannot be read as one.
fn damaged(shown: &str, why: &str) -> Error {
    let msg = format!("is not a store this crosswalk can read ({why}); build it again with `crosswalk build`");
    Error::Data(vec![DataError::new(shown, 0, msg)])
}

/// Reads the format line and the directory's length and checksum: where the directory starts, its length, its SHA-256.
fn header(file: &std::fs::File, shown: &str, size: u64) -> Result<(u64, u64, String), Error> {
    let mut head = vec![0u8; MAGIC.len() + 21 + 65];
    let n = file.read_at(&mut head, 0).map_err(|e| Error::io(shown, e))?;
    head.truncate(n);
    if !head.starts_with(MAGIC.as_bytes()) {
        let other = head.starts_with(b"crosswalk store ");
        return Err(damaged(shown, if other { "another format version" } else { "no store header" }));
    }
    let rest = &head[MAGIC.len()..];
    let line =
        rest.iter().position(|&b| b == b'\n').and_then(|eol| Some((std::str::from_utf8(&rest[..eol]).ok()?, eol)));
    let parsed = line.and_then(|(l, eol)| {
        let (len, sum) = l.split_once(' ')?;
        Some((len.parse::<u64>().ok()?, sum.to_string(), eol))
    });
    let start = parsed.as_ref().map_or(0, |(_, _, eol)| (MAGIC.len() + eol + 1) as u64);
    match parsed {
        Some((len, sum, _)) if len <= size.saturating_sub(start) => Ok((start, len, sum)),
        _ => Err(damaged(shown, "damaged header")),
    }
}

impl Store {
    /// A store built from a folder that is still there must be as new as it: a file
    /// changed, added or removed since the build makes it stale.
    fn check_folder(&self) -> Result<(), Error> {
        let folder = &self.dir.folder;
        if !folder.is_dir() {
            return Ok(());
        }
        let paths = load::dir_paths(folder).map_err(|_| self.stale(folder, "the folder cannot be read"))?;
        let now: Vec<&str> = paths.iter().map(|(rel, _)| rel.as_str()).collect();
        let then: Vec<&str> = self.dir.files.iter().map(|e| e.rel.as_str()).collect();
        if now != then {
            let changed = now.iter().chain(&then).find(|r| !now.contains(r) || !then.contains(r)).copied();
            return Err(self.stale(folder, &format!("{} was added or removed", changed.unwrap_or("a file"))));
        }
        for (e, (_, path)) in self.dir.files.iter().zip(&paths) {
            let len = std::fs::metadata(path).map(|m| m.len()).ok();
            if len != Some(e.len) || e.modified != modified(path) {
                return Err(self.stale(folder, &format!("{} changed", e.rel)));
            }
        }
        Ok(())
    }

    fn stale(&self, folder: &Path, why: &str) -> Error {
        let msg = format!(
            "is stale: in {}, {why} since it was built; run `crosswalk build {} -o {}` again",
            folder.display(),
            folder.display(),
            self.shown
        );
        Error::Data(vec![DataError::new(&self.shown, 0, msg)])
    }

    /// The folder's fingerprint, as a load of the folder gives it.
    pub fn sha256(&self) -> &str {
        &self.dir.sha256
    }

    /// The framework key a name (key or alias, any case) stands for.
    pub fn key(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.dir.names.iter().find(|(n, _)| *n == name).map(|(_, k)| k.as_str())
    }

    /// The files a load needs: all of them (`None`), or those [`needed`] for the
    /// frameworks named. Each file is checked against its SHA-256.
    pub fn files(&self, frameworks: Option<&BTreeSet<String>>) -> Result<Vec<SourceFile>, Error> {
        let Some(frameworks) = frameworks else { return self.dir.files.iter().map(|e| self.read(e)).collect() };
        let linked: Vec<(&str, &[String])> =
            self.dir.files.iter().map(|e| (e.rel.as_str(), &e.frameworks[..])).collect();
        needed(&linked, frameworks).into_iter().map(|i| self.read(&self.dir.files[i])).collect()
    }

    fn read(&self, e: &Entry) -> Result<SourceFile, Error> {
        let display = format!("{}:{}", self.shown, e.rel);
        let mut bytes = vec![0u8; e.len as usize];
        self.file.read_exact_at(&mut bytes, e.offset).map_err(|err| Error::io(&display, err))?;
        let text = String::from_utf8(bytes).ok().filter(|t| sha256(t.as_bytes()) == e.sha256);
        let Some(text) = text else {
            let msg = format!("is damaged: {} does not match its checksum; build the store again", e.rel);
            return Err(Error::Data(vec![DataError::new(&self.shown, 0, msg)]));
        };
        let display = Path::new(&self.dir.shown).join(&e.rel).display().to_string();
        Ok(SourceFile { rel: e.rel.clone(), display, text: Text::from(text), table: None })
    }
}

/// Which of a database's files (each with the frameworks its rows link, for a
/// mapping set) a load of the frameworks named needs: the mapping sets that link
/// two of them, the files that are neither a catalog nor a set, and the catalogs
/// of the frameworks named and of those the sets taken link. Positions in
/// `files`, in the order of their paths.
pub(super) fn needed<S: AsRef<str>>(files: &[(&str, &[S])], frameworks: &BTreeSet<String>) -> Vec<usize> {
    let mut wanted = Vec::new();
    let mut catalogs: BTreeSet<&str> = frameworks.iter().map(String::as_str).collect();
    for (i, (rel, linked)) in files.iter().enumerate() {
        let take = if rel.starts_with("catalogs/") {
            false
        } else if linked.is_empty() {
            !rel.ends_with(".csv")
        } else {
            let named = linked.iter().filter(|k| frameworks.contains(k.as_ref())).count();
            named >= 2 || (linked.len() == 1 && named == 1)
        };
        if take {
            catalogs.extend(linked.iter().map(AsRef::as_ref));
            wanted.push(i);
        }
    }
    let catalog = |rel: &str| rel.starts_with("catalogs/") && catalogs.contains(super::catalog::stem(rel));
    wanted.extend(files.iter().enumerate().filter(|(_, (rel, _))| catalog(rel)).map(|(i, _)| i));
    wanted.sort_by_key(|&i| files[i].0);
    wanted
}
