//! Per-room content digest, shared by the package manifest and the verifier.
//!
//! SHA-256 over the room's messages in order, each message encoded as
//! `chatDate` (i64, big-endian) ‖ len(poster prinGuid) (u32 BE) ‖ poster prinGuid (uppercase
//! ASCII) ‖ isAlert (one byte 0/1) ‖ len(content) (u64 BE) ‖ content (UTF-8). The encoding is
//! length-prefixed so that no two different message sequences hash alike by concatenation.
//!
//! The verifier hashes in (chatDate, chatId) order on both sides; the manifest hashes in
//! package order (legacy chatID order), which is the same order whenever chatID grows with
//! chatDate — as it does for messages posted live.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Count, first and last chatDate and SHA-256 of one room's messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomContent {
    /// Messages.
    pub messages: u64,
    /// Smallest chatDate (ticks), if any message.
    pub first: Option<i64>,
    /// Largest chatDate (ticks), if any message.
    pub last: Option<i64>,
    /// Lowercase hex SHA-256 (see the module docs); the hash of nothing for an empty room.
    pub sha256: String,
    /// Content bytes (UTF-8).
    pub bytes: u64,
}

/// Incremental [`RoomContent`] builder.
#[derive(Clone, Debug, Default)]
pub struct ContentDigest {
    hasher: Sha256,
    messages: u64,
    first: Option<i64>,
    last: Option<i64>,
    bytes: u64,
}

impl ContentDigest {
    /// An empty digest.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one message.
    pub fn update(&mut self, date: i64, poster_guid: &str, is_alert: bool, content: &str) {
        self.update_bytes(date, poster_guid, is_alert, content.as_bytes());
    }

    /// Adds one message whose text is given as its UTF-8 bytes (a reader that has checked
    /// the column is text need not check the encoding again: the digest is over bytes).
    pub fn update_bytes(&mut self, date: i64, poster_guid: &str, is_alert: bool, content: &[u8]) {
        // the fields before the content in one update (a GUID is 36 bytes: the header fits
        // the stack buffer; a longer poster string is hashed field by field, same bytes)
        let mut head = [0u8; 64];
        let n = 8 + 4 + poster_guid.len() + 1 + 8;
        if n <= head.len() {
            head[..8].copy_from_slice(&date.to_be_bytes());
            head[8..12].copy_from_slice(&(poster_guid.len() as u32).to_be_bytes());
            let g = 12 + poster_guid.len();
            head[12..g].copy_from_slice(poster_guid.as_bytes());
            head[g] = u8::from(is_alert);
            head[g + 1..n].copy_from_slice(&(content.len() as u64).to_be_bytes());
            self.hasher.update(&head[..n]);
        } else {
            self.hasher.update(date.to_be_bytes());
            self.hasher.update((poster_guid.len() as u32).to_be_bytes());
            self.hasher.update(poster_guid.as_bytes());
            self.hasher.update([u8::from(is_alert)]);
            self.hasher.update((content.len() as u64).to_be_bytes());
        }
        self.hasher.update(content);
        self.messages += 1;
        self.bytes += content.len() as u64;
        self.first = Some(self.first.map_or(date, |f| f.min(date)));
        self.last = Some(self.last.map_or(date, |l| l.max(date)));
    }

    /// Messages added so far.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// The result.
    pub fn finish(self) -> RoomContent {
        RoomContent {
            messages: self.messages,
            first: self.first,
            last: self.last,
            sha256: hex::encode(self.hasher.finalize()),
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
            assert_ne!(d.finish().sha256, base.sha256);
        }
        // no ambiguity by concatenation
        let mut a = ContentDigest::new();
        a.update(1, "AB", false, "C");
        let mut b = ContentDigest::new();
        b.update(1, "A", false, "BC");
        assert_ne!(a.finish().sha256, b.finish().sha256);
    }

    /// The encoding the module documents, field by field: packages written before the
    /// header was hashed in one piece must still check.
    fn documented(messages: &[(i64, &str, bool, &str)]) -> String {
        let mut h = Sha256::new();
        for (date, guid, alert, text) in messages {
            h.update(date.to_be_bytes());
            h.update((guid.len() as u32).to_be_bytes());
            h.update(guid.as_bytes());
            h.update([u8::from(*alert)]);
            h.update((text.len() as u64).to_be_bytes());
            h.update(text.as_bytes());
        }
        hex::encode(h.finalize())
    }

    #[test]
    fn digest_is_the_documented_encoding_for_every_poster_length() {
        let guid = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
        let long = "S-1-5-21-1004336348-1177238915-682003330-512-and-more-than-a-guid";
        for poster in ["", "A", guid, long] {
            let messages = [
                (630_000_000_000_000_000, poster, false, "héllo"),
                (-1, poster, true, ""),
            ];
            let mut d = ContentDigest::new();
            for (date, g, alert, text) in messages {
                d.update(date, g, alert, text);
            }
            assert_eq!(d.finish().sha256, documented(&messages), "{poster:?}");
        }
    }
}
