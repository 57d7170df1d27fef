//! The import's staging file: the package's messages, parsed and checked once, in package
//! order, in a compact binary form next to the target (`<mgc>.import-stage`).
//!
//! Why a stage: the package is read (inflated, parsed, checked against the manifest) exactly
//! once, and nothing is written to the target until the whole package has been read
//! successfully — a package that fails to read, at any entry, leaves the target byte for byte
//! as it was. The publication into `tblChat` then streams the stage, with no XML left to
//! parse.
//!
//! Resumability: after every content entry the stage is flushed and synced and a checkpoint
//! (`<mgc>.import-stage.json`: package identity, entries done, stage length, and — once
//! complete — the content totals) is written to a temporary file, synced and renamed into
//! place. A run killed while staging finds the checkpoint, truncates the stage to the
//! recorded length, replays it to rebuild the totals and continues with the next entry.
//!
//! Record layout (little-endian): `0xA5` ‖ room i64 ‖ legacy chatID i64 ‖ chatDate i64 ‖
//! poster i64 ‖ isAlert u8 ‖ content length u32 ‖ content (UTF-8). The file starts with
//! [`MAGIC`] and the package identity on one line.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ChatDataError;
use super::model::Message;
use super::package::ContentStats;

/// First bytes of a stage file.
pub const MAGIC: &[u8; 8] = b"PCMSTG1\n";
const RECORD: u8 = 0xA5;
const FIXED: usize = 1 + 8 * 4 + 1 + 4;

/// The stage and checkpoint files of a target.
#[derive(Clone, Debug)]
pub struct StagePaths {
    /// `<mgc>.import-stage`.
    pub data: PathBuf,
    /// `<mgc>.import-stage.json`.
    pub checkpoint: PathBuf,
}

impl StagePaths {
    /// The files next to `mgc`.
    pub fn for_target(mgc: &Path) -> StagePaths {
        let with = |suffix: &str| {
            let mut s = mgc.as_os_str().to_owned();
            s.push(suffix);
            PathBuf::from(s)
        };
        StagePaths {
            data: with(".import-stage"),
            checkpoint: with(".import-stage.json"),
        }
    }

    /// Removes both files (missing files are fine).
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.data);
        let _ = std::fs::remove_file(&self.checkpoint);
        let mut tmp = self.checkpoint.as_os_str().to_owned();
        tmp.push(".tmp");
        let _ = std::fs::remove_file(PathBuf::from(tmp));
    }
}

/// Where staging stands.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StageCheckpoint {
    /// The package this stage belongs to.
    pub package_id: String,
    /// Content entries fully staged.
    pub entries_done: usize,
    /// Stage length after those entries.
    pub stage_len: u64,
    /// True once every entry is staged and the manifest check passed.
    pub complete: bool,
    /// The content totals (when complete).
    pub stats: Option<ContentStats>,
}

fn header_len(package_id: &str) -> u64 {
    (MAGIC.len() + package_id.len() + 1) as u64
}

/// Reads the checkpoint, if any and readable.
pub fn load_checkpoint(paths: &StagePaths) -> Option<StageCheckpoint> {
    let text = std::fs::read(&paths.checkpoint).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Writes the checkpoint atomically (temporary file, sync, rename).
///
/// # Errors
/// I/O errors naming the file.
pub fn save_checkpoint(paths: &StagePaths, ck: &StageCheckpoint) -> Result<(), ChatDataError> {
    let mut tmp = paths.checkpoint.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let io = |a: &str| ChatDataError::io(&paths.checkpoint, a.to_string());
    let json = serde_json::to_vec(ck).map_err(|e| ChatDataError::Io {
        path: paths.checkpoint.clone(),
        action: "encode the stage checkpoint".into(),
        source: std::io::Error::other(e),
    })?;
    let mut f = File::create(&tmp).map_err(io("write the stage checkpoint"))?;
    f.write_all(&json)
        .map_err(io("write the stage checkpoint"))?;
    f.sync_all().map_err(io("sync the stage checkpoint"))?;
    drop(f);
    std::fs::rename(&tmp, &paths.checkpoint).map_err(io("move the stage checkpoint into place"))
}

/// Bytes handed to the writing thread at a time.
const WRITE_CHUNK: usize = 1 << 20;

/// The writing thread syncs after this many bytes.
const SYNC_EVERY: usize = 16 << 20;

/// Work for the writing thread.
enum WriteCmd {
    Data(Vec<u8>),
    /// Sync and answer; the answer carries the first write error, if any.
    Sync(std::sync::mpsc::Sender<std::io::Result<()>>),
}

/// The stage file written on a thread of its own: the caller fills 1 MiB buffers and hands
/// them over, so copying them into the page cache (about a fifth of a what-if) runs on the
/// second core. A write error is kept and reported by the next [`WriteBehind::sync`].
struct WriteBehind {
    tx: Option<std::sync::mpsc::SyncSender<WriteCmd>>,
    recycled: std::sync::mpsc::Receiver<Vec<u8>>,
    buf: Vec<u8>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl WriteBehind {
    fn spawn(mut file: File) -> std::io::Result<WriteBehind> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<WriteCmd>(4);
        let (back, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
        let handle = std::thread::Builder::new()
            .name("import-stage".into())
            .spawn(move || {
                let mut failed: Option<std::io::Error> = None;
                let mut unsynced = 0usize;
                for cmd in rx {
                    match cmd {
                        WriteCmd::Data(b) => {
                            if failed.is_none()
                                && let Err(e) = file.write_all(&b)
                            {
                                failed = Some(e);
                            }
                            unsynced += b.len();
                            let _ = back.send(b);
                            // written back as it goes, on this thread, so that the sync a
                            // checkpoint waits for has little left to do (a 96 MB stage
                            // synced at the end kept the -WhatIf waiting 47 ms)
                            if unsynced >= SYNC_EVERY {
                                unsynced = 0;
                                if failed.is_none()
                                    && let Err(e) = file.sync_data()
                                {
                                    failed = Some(e);
                                }
                            }
                        }
                        WriteCmd::Sync(answer) => {
                            unsynced = 0;
                            let res = match &failed {
                                Some(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
                                None => file.sync_data(),
                            };
                            let _ = answer.send(res);
                        }
                    }
                }
            })?;
        Ok(WriteBehind {
            tx: Some(tx),
            recycled,
            buf: Vec::with_capacity(WRITE_CHUNK),
            handle: Some(handle),
        })
    }

    fn stopped() -> std::io::Error {
        std::io::Error::other("the stage writing thread stopped")
    }

    fn hand_over(&mut self) -> std::io::Result<()> {
        let fresh = match self.recycled.try_recv() {
            Ok(mut b) => {
                b.clear();
                b
            }
            Err(_) => Vec::with_capacity(WRITE_CHUNK),
        };
        let full = std::mem::replace(&mut self.buf, fresh);
        let tx = self.tx.as_ref().ok_or_else(Self::stopped)?;
        tx.send(WriteCmd::Data(full)).map_err(|_| Self::stopped())
    }

    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        // handed over before it would outgrow its capacity: growing a full 1 MiB buffer
        // reallocated and copied it, once per megabyte staged
        if !self.buf.is_empty() && self.buf.len() + b.len() > WRITE_CHUNK {
            self.hand_over()?;
        }
        self.buf.extend_from_slice(b);
        Ok(())
    }

    /// Everything handed over is written and synced (or the first error).
    fn sync(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            self.hand_over()?;
        }
        let (answer, result) = std::sync::mpsc::channel();
        let tx = self.tx.as_ref().ok_or_else(Self::stopped)?;
        tx.send(WriteCmd::Sync(answer))
            .map_err(|_| Self::stopped())?;
        result.recv().map_err(|_| Self::stopped())?
    }
}

impl Drop for WriteBehind {
    fn drop(&mut self) {
        // bytes not synced are still written (a stage is only trusted up to a checkpoint)
        if !self.buf.is_empty() {
            let _ = self.hand_over();
        }
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Appends records to the stage.
pub struct StageWriter {
    out: WriteBehind,
    len: u64,
    path: PathBuf,
}

impl StageWriter {
    /// Creates a new stage for `package_id` (truncating any old one).
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn create(paths: &StagePaths, package_id: &str) -> Result<StageWriter, ChatDataError> {
        let f = File::create(&paths.data).map_err(ChatDataError::io(
            &paths.data,
            "create the import stage next to the target",
        ))?;
        let mut w = StageWriter {
            out: WriteBehind::spawn(f).map_err(ChatDataError::io(
                &paths.data,
                "start writing the import stage",
            ))?,
            len: 0,
            path: paths.data.clone(),
        };
        w.put(MAGIC)?;
        w.put(package_id.as_bytes())?;
        w.put(b"\n")?;
        Ok(w)
    }

    /// Reopens a stage for appending after its first `len` bytes (the rest is cut off).
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn reopen(paths: &StagePaths, len: u64) -> Result<StageWriter, ChatDataError> {
        let io = |a: &str| ChatDataError::io(&paths.data, a.to_string());
        let mut f = OpenOptions::new()
            .write(true)
            .open(&paths.data)
            .map_err(io("reopen the import stage"))?;
        f.set_len(len).map_err(io("cut the import stage back"))?;
        f.seek(SeekFrom::Start(len))
            .map_err(io("reopen the import stage"))?;
        Ok(StageWriter {
            out: WriteBehind::spawn(f).map_err(io("start writing the import stage"))?,
            len,
            path: paths.data.clone(),
        })
    }

    fn put(&mut self, b: &[u8]) -> Result<(), ChatDataError> {
        self.out
            .write_all(b)
            .map_err(ChatDataError::io(&self.path, "write the import stage"))?;
        self.len += b.len() as u64;
        Ok(())
    }

    /// Appends one message.
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn write(&mut self, m: &Message) -> Result<(), ChatDataError> {
        let mut head = [0u8; FIXED];
        head[0] = RECORD;
        head[1..9].copy_from_slice(&m.room_id.to_le_bytes());
        head[9..17].copy_from_slice(&m.chat_id.to_le_bytes());
        head[17..25].copy_from_slice(&m.date.to_le_bytes());
        head[25..33].copy_from_slice(&m.poster_id.to_le_bytes());
        head[33] = u8::from(m.is_alert);
        let len = u32::try_from(m.content.len()).map_err(|_| ChatDataError::Io {
            path: self.path.clone(),
            action: "stage a message".into(),
            source: std::io::Error::other("a message longer than 4 GiB"),
        })?;
        head[34..38].copy_from_slice(&len.to_le_bytes());
        self.put(&head)?;
        self.put(m.content.as_bytes())
    }

    /// Flushes and syncs; returns the stage length.
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn sync(&mut self) -> Result<u64, ChatDataError> {
        self.out.sync().map_err(ChatDataError::io(
            &self.path,
            "write and sync the import stage",
        ))?;
        Ok(self.len)
    }
}

/// Reads records back, from a byte offset.
pub struct StageReader {
    input: BufReader<File>,
    pos: u64,
    end: u64,
    path: PathBuf,
    head: [u8; FIXED],
}

impl StageReader {
    /// Opens the stage of `package_id` and positions it at `offset` (0 = the first record),
    /// reading no further than `end` bytes.
    ///
    /// # Errors
    /// A missing stage or one of another package.
    pub fn open(
        paths: &StagePaths,
        package_id: &str,
        offset: u64,
        end: u64,
    ) -> Result<StageReader, ChatDataError> {
        let io = |a: &str| ChatDataError::io(&paths.data, a.to_string());
        let mut f = File::open(&paths.data).map_err(io("open the import stage"))?;
        let hl = header_len(package_id);
        let mut head = vec![0u8; hl as usize];
        f.read_exact(&mut head)
            .map_err(io("read the import stage header"))?;
        let mut want = MAGIC.to_vec();
        want.extend_from_slice(package_id.as_bytes());
        want.push(b'\n');
        if head != want {
            return Err(ChatDataError::Schema {
                path: paths.data.clone(),
                message: "the import stage belongs to another package; it will be rebuilt".into(),
            });
        }
        let start = offset.max(hl);
        f.seek(SeekFrom::Start(start))
            .map_err(io("seek in the import stage"))?;
        Ok(StageReader {
            input: BufReader::with_capacity(1 << 20, f),
            pos: start,
            end,
            path: paths.data.clone(),
            head: [0; FIXED],
        })
    }

    /// The byte offset of the next record.
    pub fn pos(&self) -> u64 {
        self.pos
    }

    /// Reads the next record into `m`; false at the end.
    ///
    /// # Errors
    /// A damaged stage.
    pub fn next(&mut self, m: &mut Message) -> Result<bool, ChatDataError> {
        if self.pos >= self.end {
            return Ok(false);
        }
        let bad = |what: &str| ChatDataError::Schema {
            path: self.path.clone(),
            message: format!(
                "the import stage is damaged ({what}); delete it and run the import again"
            ),
        };
        self.input
            .read_exact(&mut self.head)
            .map_err(|_| bad("truncated record"))?;
        let h = &self.head;
        if h[0] != RECORD {
            return Err(bad("bad record marker"));
        }
        let i = |a: usize| i64::from_le_bytes(h[a..a + 8].try_into().expect("8 bytes"));
        m.room_id = i(1);
        m.chat_id = i(9);
        m.date = i(17);
        m.poster_id = i(25);
        m.is_alert = h[33] != 0;
        let len = u32::from_le_bytes(h[34..38].try_into().expect("4 bytes")) as usize;
        if self.pos + (FIXED + len) as u64 > self.end {
            return Err(bad("record past the recorded end"));
        }
        let mut bytes = std::mem::take(&mut m.content).into_bytes();
        bytes.clear();
        bytes.resize(len, 0);
        self.input
            .read_exact(&mut bytes)
            .map_err(|_| bad("truncated text"))?;
        m.content = String::from_utf8(bytes).map_err(|_| bad("text is not UTF-8"))?;
        self.pos += (FIXED + len) as u64;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_resume_cuts_back() {
        let dir = tempfile::tempdir().unwrap();
        let paths = StagePaths::for_target(&dir.path().join("mgc.db"));
        let m = |k: i64| Message {
            room_id: 10 + k % 2,
            chat_id: k,
            date: 1000 + k,
            poster_id: -k,
            is_alert: k % 3 == 0,
            content: format!("m{k} 주간 🎉\r\n"),
        };
        let mut w = StageWriter::create(&paths, "PKG").unwrap();
        w.write(&m(1)).unwrap();
        let cut = w.sync().unwrap();
        w.write(&m(2)).unwrap();
        w.write(&m(3)).unwrap();
        let end = w.sync().unwrap();
        drop(w);
        let mut r = StageReader::open(&paths, "PKG", 0, end).unwrap();
        let mut got = Message::default();
        let mut all = Vec::new();
        while r.next(&mut got).unwrap() {
            all.push(got.clone());
        }
        assert_eq!(all, [m(1), m(2), m(3)]);
        assert_eq!(r.pos(), end);
        // resume after the first record: the rest is cut off and rewritten
        let mut w = StageWriter::reopen(&paths, cut).unwrap();
        w.write(&m(4)).unwrap();
        let end = w.sync().unwrap();
        let mut r = StageReader::open(&paths, "PKG", cut, end).unwrap();
        assert!(r.next(&mut got).unwrap());
        assert_eq!(got, m(4));
        assert!(!r.next(&mut got).unwrap());
        assert!(StageReader::open(&paths, "OTHER", 0, end).is_err());
        let ck = StageCheckpoint {
            package_id: "PKG".into(),
            entries_done: 2,
            stage_len: end,
            ..StageCheckpoint::default()
        };
        save_checkpoint(&paths, &ck).unwrap();
        assert_eq!(load_checkpoint(&paths).unwrap().stage_len, end);
        paths.remove();
        assert!(!paths.data.exists() && load_checkpoint(&paths).is_none());
    }
}
