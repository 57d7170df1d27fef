//! Per-room content digest, shared by the package manifest and the verifier.
//!
//! A hash over the room's messages in order, each message encoded as
//! `chatDate` (i64, big-endian) ‖ len(poster prinGuid) (u32 BE) ‖ poster prinGuid (uppercase
//! ASCII) ‖ isAlert (one byte 0/1) ‖ len(content) (u64 BE) ‖ content (UTF-8). The encoding is
//! length-prefixed so that no two different message sequences hash alike by concatenation.
//!
//! The hash is BLAKE3 (manifests of layout version 2, and the verifier) or SHA-256
//! (manifests of layout version 1, still read): [`DigestAlgorithm`]. Both are cryptographic
//! 256-bit hashes; BLAKE3 hashes these short records about twice as fast on the same core
//! (`pchat-migrate bench`, README "Measured"), and every message is hashed at export, at the
//! -WhatIf and twice at verify.
//!
//! The verifier hashes in (chatDate, chatId) order on both sides; the manifest hashes in
//! package order (legacy chatID order), which is the same order whenever chatID grows with
//! chatDate — as it does for messages posted live.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash of a [`RoomContent`] digest, as a manifest names it (`"digest"`; a manifest
/// without the field is layout version 1: SHA-256).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestAlgorithm {
    /// SHA-256 (FIPS 180-4): the manifests of layout version 1.
    Sha256,
    /// BLAKE3 with its default 256-bit output: layout version 2 and the verifier.
    #[default]
    Blake3,
}

impl DigestAlgorithm {
    /// The algorithm of a manifest without a `"digest"` field (layout version 1).
    pub fn version_1() -> Self {
        Self::Sha256
    }

    /// Its name as shown to the admin.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA-256",
            Self::Blake3 => "BLAKE3",
        }
    }
}

/// Count, first and last chatDate and digest of one room's messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomContent {
    /// Messages.
    pub messages: u64,
    /// Smallest chatDate (ticks), if any message.
    pub first: Option<i64>,
    /// Largest chatDate (ticks), if any message.
    pub last: Option<i64>,
    /// Lowercase hex of the [`DigestAlgorithm`] hash (see the module docs); the hash of
    /// nothing for an empty room. Layout version 1 called the field `sha256`.
    #[serde(alias = "sha256")]
    pub digest: String,
    /// Content bytes (UTF-8).
    pub bytes: u64,
}

/// Encoded messages are gathered up to this many bytes before they are hashed: BLAKE3
/// hashes 1 KiB chunks side by side only when it is given several at once (a message at a
/// time it is slower than SHA-256), and SHA-256 saves a call per 64-byte block.
const STAGE_BYTES: usize = 16 * 1024;

#[derive(Clone, Debug)]
enum Hasher {
    Sha256(Sha256),
    Blake3(Box<blake3::Hasher>),
}

impl Hasher {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(bytes),
            Self::Blake3(h) => {
                h.update(bytes);
            }
        }
    }

    fn finish(self) -> String {
        match self {
            Self::Sha256(h) => hex::encode(h.finalize()),
            Self::Blake3(h) => h.finalize().to_hex().to_string(),
        }
    }
}

/// Incremental [`RoomContent`] builder.
#[derive(Clone, Debug)]
pub struct ContentDigest {
    hasher: Hasher,
    /// Encoded messages not hashed yet (at most about [`STAGE_BYTES`]).
    staged: Vec<u8>,
    messages: u64,
    first: Option<i64>,
    last: Option<i64>,
    bytes: u64,
}

impl Default for ContentDigest {
    fn default() -> Self {
        Self::with(DigestAlgorithm::default())
    }
}

impl ContentDigest {
    /// An empty digest with the default algorithm (BLAKE3).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty digest with `algorithm`.
    pub fn with(algorithm: DigestAlgorithm) -> Self {
        Self {
            hasher: match algorithm {
                DigestAlgorithm::Sha256 => Hasher::Sha256(Sha256::new()),
                DigestAlgorithm::Blake3 => Hasher::Blake3(Box::default()),
            },
            staged: Vec::new(),
            messages: 0,
            first: None,
            last: None,
            bytes: 0,
        }
    }

    /// Adds one message.
    pub fn update(&mut self, date: i64, poster_guid: &str, is_alert: bool, content: &str) {
        self.update_bytes(date, poster_guid, is_alert, content.as_bytes());
    }

    /// Adds one message whose text is given as its UTF-8 bytes (a reader that has checked
    /// the column is text need not check the encoding again: the digest is over bytes).
    pub fn update_bytes(&mut self, date: i64, poster_guid: &str, is_alert: bool, content: &[u8]) {
        if self.staged.capacity() == 0 {
            self.staged.reserve_exact(STAGE_BYTES + 1024);
        }
        let s = &mut self.staged;
        s.extend_from_slice(&date.to_be_bytes());
        s.extend_from_slice(&(poster_guid.len() as u32).to_be_bytes());
        s.extend_from_slice(poster_guid.as_bytes());
        s.push(u8::from(is_alert));
        s.extend_from_slice(&(content.len() as u64).to_be_bytes());
        if content.len() >= STAGE_BYTES {
            // a long text is hashed where it lies, not copied
            self.hasher.update(s);
            s.clear();
            self.hasher.update(content);
        } else {
            s.extend_from_slice(content);
            if s.len() >= STAGE_BYTES {
                self.hasher.update(s);
                s.clear();
            }
        }
        self.messages += 1;
        self.bytes += content.len() as u64;
        self.first = Some(self.first.map_or(date, |f| f.min(date)));
        self.last = Some(self.last.map_or(date, |l| l.max(date)));
    }

    /// Hashes what is staged and gives the staging buffer back: for a digest set aside
    /// while other rooms are read (a reader holding one per room stays small).
    pub fn park(&mut self) {
        if !self.staged.is_empty() {
            self.hasher.update(&self.staged);
        }
        self.staged = Vec::new();
    }

    /// Messages added so far.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// The result.
    pub fn finish(mut self) -> RoomContent {
        self.park();
        RoomContent {
            messages: self.messages,
            first: self.first,
            last: self.last,
            digest: self.hasher.finish(),
            bytes: self.bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_depends_on_every_field_and_on_order() {
        let base = {
            let mut d = ContentDigest::new();
            d.update(10, "A", false, "hello");
            d.update(11, "B", true, "world");
            d.finish()
        };
        assert_eq!(base.messages, 2);
        assert_eq!((base.first, base.last), (Some(10), Some(11)));
        let variants: [&dyn Fn(&mut ContentDigest); 5] = [
            &|d| {
                d.update(10, "A", false, "hello");
                d.update(11, "B", true, "world!")
            },
            &|d| {
                d.update(10, "A", false, "hello");
                d.update(12, "B", true, "world")
            },
            &|d| {
                d.update(10, "A", false, "hello");
                d.update(11, "C", true, "world")
            },
            &|d| {
                d.update(10, "A", false, "hello");
                d.update(11, "B", false, "world")
            },
            &|d| {
                d.update(11, "B", true, "world");
                d.update(10, "A", false, "hello")
            },
        ];
        for v in variants {
            let mut d = ContentDigest::new();
            v(&mut d);
            assert_ne!(d.finish().digest, base.digest);
        }
        // no ambiguity by concatenation
        let mut a = ContentDigest::new();
        a.update(1, "AB", false, "C");
        let mut b = ContentDigest::new();
        b.update(1, "A", false, "BC");
        assert_ne!(a.finish().digest, b.finish().digest);
    }

    /// The encoding the module documents, field by field, under `algorithm`: packages
    /// written before messages were staged and hashed in pieces must still check.
    fn documented(algorithm: DigestAlgorithm, messages: &[(i64, &str, bool, &str)]) -> String {
        let mut bytes = Vec::new();
        for (date, guid, alert, text) in messages {
            bytes.extend_from_slice(&date.to_be_bytes());
            bytes.extend_from_slice(&(guid.len() as u32).to_be_bytes());
            bytes.extend_from_slice(guid.as_bytes());
            bytes.push(u8::from(*alert));
            bytes.extend_from_slice(&(text.len() as u64).to_be_bytes());
            bytes.extend_from_slice(text.as_bytes());
        }
        match algorithm {
            DigestAlgorithm::Sha256 => hex::encode(Sha256::digest(&bytes)),
            DigestAlgorithm::Blake3 => blake3::hash(&bytes).to_hex().to_string(),
        }
    }

    #[test]
    fn digest_is_the_documented_encoding_for_every_poster_and_text_length() {
        let guid = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
        let long = "S-1-5-21-1004336348-1177238915-682003330-512-and-more-than-a-guid";
        // texts around the staging size: staged, flushed on the way, hashed where they lie
        let texts = [
            String::new(),
            "héllo".to_string(),
            "x".repeat(STAGE_BYTES - 70),
            "y".repeat(STAGE_BYTES),
            "z".repeat(3 * STAGE_BYTES + 5),
        ];
        for algorithm in [DigestAlgorithm::Sha256, DigestAlgorithm::Blake3] {
            for poster in ["", "A", guid, long] {
                let mut messages = vec![(-1, poster, true, "")];
                for (k, t) in texts.iter().enumerate() {
                    messages.push((630_000_000_000_000_000 + k as i64, poster, k % 2 == 0, t));
                    messages.push((630_000_000_000_000_000, poster, false, "héllo"));
                }
                let mut d = ContentDigest::with(algorithm);
                for (k, (date, g, alert, text)) in messages.iter().enumerate() {
                    d.update(*date, g, *alert, text);
                    if k == 3 {
                        d.park(); // set aside between rooms: same bytes
                    }
                }
                let got = d.finish();
                assert_eq!(got.messages, messages.len() as u64);
                assert_eq!(
                    got.digest,
                    documented(algorithm, &messages),
                    "{algorithm:?} {poster:?}"
                );
            }
        }
    }

    #[test]
    fn the_algorithms_differ_and_an_empty_room_is_the_hash_of_nothing() {
        let sha = ContentDigest::with(DigestAlgorithm::Sha256).finish().digest;
        let b3 = ContentDigest::with(DigestAlgorithm::Blake3).finish().digest;
        assert_eq!(sha, hex::encode(Sha256::digest(b"")));
        assert_eq!(b3, blake3::hash(b"").to_hex().to_string());
        assert_ne!(sha, b3);
        assert_eq!(ContentDigest::new().finish().digest, b3);
    }

    #[test]
    fn a_version_1_room_reads_its_sha256_field_and_writes_digest() {
        let v1: RoomContent =
            serde_json::from_str(r#"{"messages":1,"first":5,"last":5,"sha256":"ab","bytes":3}"#)
                .unwrap();
        assert_eq!(v1.digest, "ab");
        let out = serde_json::to_string(&v1).unwrap();
        assert!(out.contains(r#""digest":"ab""#), "{out}");
    }
}
