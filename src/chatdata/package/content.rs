//! Reading the content entries on worker threads, delivered in package order.
//!
//! Inflating and parsing the content entries is most of the work of a -WhatIf, an inspection
//! and an import's staging. Worker `w` of `n` reads the entries `w, w + n, w + 2n, …` (each
//! with its own handle on the package: positional reads on the one open file) and hands its
//! messages over in batches through a bounded channel of its own; the caller takes the
//! entries in order, from one worker's channel after the other. So what the caller sees — the
//! messages, their order, the first failure and the entry it names — is what reading the
//! entries one after the other gives, while the parsing runs on every core. A worker may run
//! ahead of the caller by [`LANE_BATCHES`] batches of at most [`BATCH`] messages or
//! [`BATCH_BYTES`] of text (plus one message): enough for a whole entry of the export's size,
//! so that the worker of the next entry is not held up while the caller takes the current
//! one, and bounded (about 16 MiB per worker) whatever the package holds.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};

use zip::ZipArchive;

use super::PackageLimits;
use super::RATIO_FLOOR_BYTES;
use super::reader::{CALLBACK_FAILED, Entry, Interner, parse_bool, parse_num, perr};
use super::xml::XmlError;
use crate::chatdata::ChatDataError;
use crate::chatdata::model::Message;

/// The package file, readable at independent positions from several threads: reads are
/// positional (`pread`, `ReadFile` at an offset), so clones share the open file but not a
/// file offset. Opening the file once also means every worker reads the file whose entries
/// [`super::PackageReader::open`] checked.
#[derive(Clone, Debug)]
pub(crate) struct SharedFile {
    file: Arc<File>,
    pos: u64,
    len: u64,
}

impl SharedFile {
    pub(crate) fn new(file: File) -> std::io::Result<SharedFile> {
        let len = file.metadata()?.len();
        Ok(SharedFile {
            file: Arc::new(file),
            pos: 0,
            len,
        })
    }

    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&*self.file, buf, at)
    }

    #[cfg(windows)]
    fn read_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(&*self.file, buf, at)
    }
}

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.len {
            return Ok(0);
        }
        let n = self.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "seek before the start of the package",
            )
        })?;
        Ok(self.pos)
    }
}

/// Reads at most `limit` bytes, failing (rather than truncating) beyond it.
pub(crate) struct LimitReader<R> {
    pub(crate) inner: R,
    pub(crate) limit: u64,
    pub(crate) read: u64,
    pub(crate) why: String,
}

impl<R> LimitReader<R> {
    /// `inner` bounded to what an entry of `compressed` bytes may expand to
    /// ([`entry_limit`]), failing with a message that says which bound it broke.
    pub(crate) fn entry(inner: R, compressed: u64, limits: PackageLimits) -> LimitReader<R> {
        let limit = entry_limit(compressed, limits);
        LimitReader {
            inner,
            limit,
            read: 0,
            why: format!(
                "expands beyond {limit} bytes (over the {} byte size limit or {}× its compressed size); refusing it",
                limits.max_entry_bytes, limits.max_ratio
            ),
        }
    }
}

/// The most an entry of `compressed` bytes may expand to: the per-entry size limit, or
/// `max_ratio` times its compressed size (never below [`RATIO_FLOOR_BYTES`]), whichever is
/// smaller.
pub(crate) fn entry_limit(compressed: u64, limits: PackageLimits) -> u64 {
    let ratio_cap = compressed
        .saturating_mul(limits.max_ratio)
        .max(RATIO_FLOOR_BYTES);
    limits.max_entry_bytes.min(ratio_cap)
}

impl<R: Read> Read for LimitReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                self.why.clone(),
            ));
        }
        Ok(n)
    }
}

/// Messages per batch handed from a worker to the caller.
pub(crate) const BATCH: usize = 1024;

/// A batch is handed over early once its text reaches this many bytes.
pub(crate) const BATCH_BYTES: usize = 256 * 1024;

/// Batches a worker may have waiting for the caller: 64 × 1024 messages is more than an
/// export's content entry (50 000 messages at most).
pub(crate) const LANE_BATCHES: usize = 64;

/// Bytes of inflated text a worker reads at a time from a large entry.
const READ_CHUNK: usize = 256 * 1024;

/// Entries up to this size (declared, uncompressed) are inflated in one piece into the
/// worker's reused buffer; they must not expand beyond it.
const SMALL_ENTRY: u64 = 4 * READ_CHUNK as u64;

/// Sentinel: the caller stopped listening.
const CALLER_GONE: &str = "\u{0}gone";

/// What a worker hands over.
enum Delivery {
    /// A batch and how many of its messages are filled.
    Batch(Vec<Message>, usize),
    /// The entry is read to its end.
    Done,
    /// The entry failed (after the messages before the failure were handed over).
    Failed(ChatDataError),
}

/// How many workers read the content: one more than the cores (the caller's in-order work
/// shares a core with them; with one worker per core a core idled while the caller waited:
/// 1 M messages checked in 0.47 s instead of 0.49), at most four, at most one per entry.
fn workers(entries: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get() + 1)
        .clamp(2, 4)
        .min(entries)
        .max(1)
}

/// Reads `entries` (content entries, in reading order) on worker threads and passes every
/// message to `deliver` on this thread, in order; `after(k)` runs after entry `k` (an index
/// into `entries`) has been delivered. A [`ChatDataError::Package`] from `deliver` with an
/// empty path and entry gets the package and the entry filled in.
///
/// # Errors
/// The first failure in reading order: [`ChatDataError::Package`] naming the entry for a
/// damaged, hostile or malformed entry; whatever `deliver` or `after` returns.
pub(crate) fn read_in_order(
    archive: &ZipArchive<SharedFile>,
    entries: &[&Entry],
    path: &Path,
    limits: PackageLimits,
    ids: &Interner,
    mut deliver: impl FnMut(&Message) -> Result<(), ChatDataError>,
    mut after: impl FnMut(usize) -> Result<(), ChatDataError>,
) -> Result<(), ChatDataError> {
    if entries.is_empty() {
        return Ok(());
    }
    let n = workers(entries.len());
    std::thread::scope(|scope| {
        let mut lanes = Vec::with_capacity(n);
        for w in 0..n {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Delivery>(LANE_BATCHES);
            let (back, recycled) = std::sync::mpsc::channel::<Vec<Message>>();
            let mut archive = archive.clone();
            std::thread::Builder::new()
                .name(format!("package-content-{w}"))
                .spawn_scoped(scope, move || {
                    let mut out = Outbox {
                        tx,
                        recycled,
                        batch: Vec::new(),
                        filled: 0,
                        bytes: 0,
                    };
                    let mut whole = Vec::new();
                    for e in entries.iter().skip(w).step_by(n) {
                        let keep_going =
                            read_entry(&mut archive, e, path, limits, ids, &mut whole, &mut out);
                        if !keep_going {
                            return;
                        }
                    }
                })
                .map_err(|e| ChatDataError::Io {
                    path: path.to_path_buf(),
                    action: "start reading the package content".into(),
                    source: e,
                })?;
            lanes.push((rx, back));
        }
        for (k, e) in entries.iter().enumerate() {
            let (rx, back) = &lanes[k % n];
            loop {
                match rx.recv() {
                    Ok(Delivery::Batch(batch, filled)) => {
                        for m in &batch[..filled] {
                            deliver(m).map_err(|err| locate(err, path, &e.name))?;
                        }
                        let _ = back.send(batch);
                    }
                    Ok(Delivery::Done) => break,
                    Ok(Delivery::Failed(err)) => return Err(err),
                    Err(_) => {
                        return Err(ChatDataError::Package {
                            path: path.to_path_buf(),
                            entry: e.name.clone(),
                            message: "the thread reading this entry stopped".into(),
                        });
                    }
                }
            }
            after(k)?;
        }
        Ok(())
    })
}

/// Fills in the package and entry of an error raised without them (a callback's error).
fn locate(mut e: ChatDataError, path: &Path, name: &str) -> ChatDataError {
    if let ChatDataError::Package {
        path: p, entry: en, ..
    } = &mut e
    {
        if p.as_os_str().is_empty() {
            *p = path.to_path_buf();
        }
        if en.is_empty() {
            *en = name.to_string();
        }
    }
    e
}

/// A worker's side of its channel: the batch being filled.
struct Outbox {
    tx: SyncSender<Delivery>,
    recycled: Receiver<Vec<Message>>,
    batch: Vec<Message>,
    filled: usize,
    /// Text bytes in the batch.
    bytes: usize,
}

impl Outbox {
    /// The next message to fill (reused: its text buffer keeps its capacity, unless a long
    /// message grew it past [`crate::chatdata::model::KEPT_TEXT_CAPACITY`]).
    fn slot(&mut self) -> &mut Message {
        if self.batch.is_empty() {
            self.batch = self.recycled.try_recv().unwrap_or_else(|_| {
                std::iter::repeat_with(Message::default)
                    .take(BATCH)
                    .collect()
            });
        }
        let m = &mut self.batch[self.filled];
        m.release_long_text();
        m
    }

    /// Counts the filled slot; hands the batch over when full. False when the caller is gone.
    fn commit(&mut self) -> bool {
        self.bytes += self.batch[self.filled].content.len();
        self.filled += 1;
        (self.filled < BATCH && self.bytes < BATCH_BYTES) || self.flush()
    }

    /// Hands over what is filled. False when the caller is gone.
    fn flush(&mut self) -> bool {
        if self.filled == 0 {
            return true;
        }
        let batch = std::mem::take(&mut self.batch);
        let filled = std::mem::take(&mut self.filled);
        self.bytes = 0;
        self.tx.send(Delivery::Batch(batch, filled)).is_ok()
    }

    fn send(&mut self, d: Delivery) -> bool {
        self.flush() && self.tx.send(d).is_ok()
    }
}

/// Reads one entry into `out`. False when the caller is gone (stop).
fn read_entry(
    archive: &mut ZipArchive<SharedFile>,
    e: &Entry,
    path: &Path,
    limits: PackageLimits,
    ids: &Interner,
    whole: &mut Vec<u8>,
    out: &mut Outbox,
) -> bool {
    let name = e.name.as_str();
    let max_text = usize::try_from(limits.max_text_bytes).unwrap_or(usize::MAX);
    let limit = entry_limit(e.compressed, limits);
    let declared = e.size;
    let mut kept: Option<ChatDataError> = None;
    let mut gone = false;
    let mut parse = |input: Box<dyn BufRead + '_>| -> Result<(), XmlError> {
        let input = match super::xml::utf8_bufread(input) {
            Ok(i) => i,
            Err(e) => return Err(XmlError(format!("cannot read: {e}"))),
        };
        super::xml::walk_messages(input, max_text, |raw| {
            let filled = (|| {
                let msg = out.slot();
                msg.room_id = ids.lookup(raw.room).ok_or_else(|| {
                    perr(
                        name,
                        format!(
                            "messages for room id {} which the package does not define; re-run the export",
                            crate::safe_text::escape(raw.room.trim())
                        ),
                    )
                })?;
                msg.chat_id = parse_num(raw.id, "id")?.unwrap_or(0);
                msg.date = parse_num(raw.date, "date")?.ok_or_else(|| {
                    perr(name, format!("a message of room {} has no date", raw.room))
                })?;
                if raw.poster.trim().is_empty() {
                    return Err(perr(
                        name,
                        format!("a message of room {} has no poster", raw.room),
                    ));
                }
                msg.poster_id = ids.lookup(raw.poster).ok_or_else(|| {
                    perr(
                        name,
                        format!(
                            "a message of room id {} (chatID {}) is posted by principal id {} which the package does not define; re-run the export",
                            crate::safe_text::escape(raw.room.trim()),
                            crate::safe_text::escape(raw.id.trim()),
                            crate::safe_text::escape(raw.poster.trim())
                        ),
                    )
                })?;
                msg.is_alert = parse_bool(Some(raw.alert)).unwrap_or(false);
                msg.content.clear();
                match raw.enc.trim() {
                    "" => msg.content.push_str(raw.text),
                    enc if enc.eq_ignore_ascii_case("hex") => {
                        let bytes = hex::decode(raw.text.trim()).map_err(|e| {
                            perr(
                                name,
                                format!("<Message> has enc=\"hex\" but is not hex: {e}"),
                            )
                        })?;
                        msg.content = String::from_utf8(bytes)
                            .map_err(|_| perr(name, "<Message> hex text is not UTF-8"))?;
                    }
                    other => {
                        return Err(perr(
                            name,
                            format!("<Message> has unknown encoding enc=\"{other}\""),
                        ));
                    }
                }
                Ok(())
            })();
            match filled {
                Ok(()) if out.commit() => Ok(()),
                Ok(()) => {
                    gone = true;
                    Err(XmlError(CALLER_GONE.into()))
                }
                Err(e) => {
                    kept = Some(e);
                    Err(XmlError(CALLBACK_FAILED.into()))
                }
            }
        })
    };
    let opened = archive.by_index(e.index).map_err(|e| {
        XmlError(format!(
            "cannot open the entry ({e}); the archive is damaged"
        ))
    });
    let r = opened.and_then(|zf| {
        if declared <= SMALL_ENTRY {
            // a small entry in one piece, into the worker's reused buffer: with 100 000
            // entries a buffer per entry costs more than the entry
            whole.clear();
            LimitReader {
                inner: zf,
                limit: limit.min(SMALL_ENTRY),
                read: 0,
                why: format!("expands beyond the {declared} bytes it declares; refusing it"),
            }
            .read_to_end(whole)
            .map_err(|e| XmlError(format!("cannot read: {e}")))?;
            parse(Box::new(&whole[..]))
        } else {
            let input = LimitReader::entry(zf, e.compressed, limits);
            parse(Box::new(BufReader::with_capacity(READ_CHUNK, input)))
        }
    });
    if gone {
        return false;
    }
    match r {
        Ok(()) => out.send(Delivery::Done),
        Err(e) => {
            out.send(Delivery::Failed(walk_failure(e, kept, path, name)));
            false
        }
    }
}

/// The error of an entry whose walk stopped with `e`: the callback's own error (`kept`, with
/// the package and entry filled in), else the XML's, named as damage.
pub(crate) fn walk_failure(
    e: XmlError,
    kept: Option<ChatDataError>,
    path: &Path,
    name: &str,
) -> ChatDataError {
    match kept {
        Some(k) => locate(k, path, name),
        None => ChatDataError::Package {
            path: path.to_path_buf(),
            entry: name.to_string(),
            message: format!(
                "{}; the package is damaged or was not written by an export — re-run the export",
                e.0
            ),
        },
    }
}
