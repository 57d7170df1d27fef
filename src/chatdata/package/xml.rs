//! Safe, streaming XML reading for package entries: encoding sniffing (UTF-8 with or without
//! BOM, UTF-16 LE/BE with BOM), refusal of DTDs and entity declarations, and a small
//! "record" tree for one element subtree that accepts attribute-or-element forms.

use std::io::{BufRead, BufReader, Read};

use quick_xml::events::{BytesStart, Event};

/// An XML problem, without the entry name (the caller adds it).
#[derive(Debug)]
pub(crate) struct XmlError(pub String);

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<quick_xml::Error> for XmlError {
    fn from(e: quick_xml::Error) -> Self {
        match e {
            quick_xml::Error::Io(io) => io_to_xml(&io),
            other => XmlError(format!("malformed XML: {other}")),
        }
    }
}

impl From<quick_xml::events::attributes::AttrError> for XmlError {
    fn from(e: quick_xml::events::attributes::AttrError) -> Self {
        XmlError(format!("malformed XML attribute: {e}"))
    }
}

impl From<quick_xml::encoding::EncodingError> for XmlError {
    fn from(e: quick_xml::encoding::EncodingError) -> Self {
        XmlError(format!("text is not valid UTF-8: {e}"))
    }
}

fn io_to_xml(io: &std::io::Error) -> XmlError {
    // errors raised by our limit / transcoding readers carry their message
    XmlError(io.to_string())
}

/// Decodes UTF-16 (LE or BE, BOM already consumed) into UTF-8, streaming.
struct Utf16ToUtf8<R: Read> {
    inner: R,
    big_endian: bool,
    pending: Vec<u8>,
    pos: usize,
    carry: Option<u8>,
    high: Option<u16>,
    eof: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    fn fill(&mut self) -> std::io::Result<()> {
        let mut raw = [0u8; 16 * 1024];
        self.pending.clear();
        self.pos = 0;
        while self.pending.is_empty() && !self.eof {
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                self.eof = true;
                if self.carry.is_some() || self.high.is_some() {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "UTF-16 text ends in the middle of a character (truncated entry?)",
                    ));
                }
                break;
            }
            let mut bytes = raw[..n].iter().copied();
            loop {
                let (a, b) = match self.carry.take() {
                    Some(a) => match bytes.next() {
                        Some(b) => (a, b),
                        None => {
                            self.carry = Some(a);
                            break;
                        }
                    },
                    None => match (bytes.next(), bytes.next()) {
                        (Some(a), Some(b)) => (a, b),
                        (Some(a), None) => {
                            self.carry = Some(a);
                            break;
                        }
                        _ => break,
                    },
                };
                let unit = if self.big_endian {
                    u16::from_be_bytes([a, b])
                } else {
                    u16::from_le_bytes([a, b])
                };
                let ch = match (self.high.take(), unit) {
                    (None, 0xD800..=0xDBFF) => {
                        self.high = Some(unit);
                        continue;
                    }
                    (Some(h), 0xDC00..=0xDFFF) => char::from_u32(
                        0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(unit) - 0xDC00),
                    ),
                    (None, 0xDC00..=0xDFFF) | (Some(_), _) => None,
                    (None, u) => char::from_u32(u32::from(u)),
                };
                let ch = ch.ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "invalid UTF-16 (unpaired surrogate)",
                    )
                })?;
                let mut tmp = [0u8; 4];
                self.pending
                    .extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.pending.len() {
            self.fill()?;
        }
        let n = out.len().min(self.pending.len() - self.pos);
        out[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Wraps raw entry bytes into a UTF-8 `BufRead`, sniffing a UTF-16 BOM (a UTF-8 BOM is
/// left for quick-xml, which strips it).
pub(crate) fn utf8_reader<'a, R: Read + 'a>(inner: R) -> std::io::Result<Box<dyn BufRead + 'a>> {
    let mut br = BufReader::with_capacity(64 * 1024, inner);
    let head = br.fill_buf()?;
    let (utf16, big_endian) = match head {
        [0xFF, 0xFE, ..] => (true, false),
        [0xFE, 0xFF, ..] => (true, true),
        _ => (false, false),
    };
    if utf16 {
        br.consume(2);
        let t = Utf16ToUtf8 {
            inner: br,
            big_endian,
            pending: Vec::new(),
            pos: 0,
            carry: None,
            high: None,
            eof: false,
        };
        Ok(Box::new(BufReader::with_capacity(64 * 1024, t)))
    } else {
        Ok(Box::new(br))
    }
}

/// [`utf8_reader`] for input that is already buffered (no second buffer for UTF-8).
pub(crate) fn utf8_bufread<'a, R: BufRead + 'a>(
    mut input: R,
) -> std::io::Result<Box<dyn BufRead + 'a>> {
    let head = input.fill_buf()?;
    let (utf16, big_endian) = match head {
        [0xFF, 0xFE, ..] => (true, false),
        [0xFE, 0xFF, ..] => (true, true),
        _ => (false, false),
    };
    if utf16 {
        input.consume(2);
        let t = Utf16ToUtf8 {
            inner: input,
            big_endian,
            pending: Vec::new(),
            pos: 0,
            carry: None,
            high: None,
            eof: false,
        };
        Ok(Box::new(BufReader::with_capacity(64 * 1024, t)))
    } else {
        Ok(Box::new(input))
    }
}

/// Creates a quick-xml reader over UTF-8 input with checks on.
pub(crate) fn xml_reader<R: BufRead>(input: R) -> quick_xml::Reader<R> {
    let mut r = quick_xml::Reader::from_reader(input);
    let c = r.config_mut();
    c.check_end_names = true;
    c.trim_text(false);
    c.expand_empty_elements = false;
    r
}

/// Resolves a general reference (`&amp;`, `&#233;`, …): only the five predefined entities
/// and character references exist in a document without a DTD.
pub(crate) fn resolve_ref(
    e: &quick_xml::events::BytesRef<'_>,
    out: &mut String,
) -> Result<(), XmlError> {
    if let Some(ch) = e
        .resolve_char_ref()
        .map_err(|x| XmlError(format!("bad character reference: {x}")))?
    {
        out.push(ch);
        return Ok(());
    }
    let name = e.decode()?;
    out.push(match name.as_ref() {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        other => {
            return Err(XmlError(format!(
                "undefined entity &{other}; (packages may not use entities)"
            )));
        }
    });
    Ok(())
}

/// Refuses DTDs: a package never needs one and they carry entity expansion attacks.
pub(crate) fn refuse_doctype(text: &[u8]) -> XmlError {
    let s = String::from_utf8_lossy(text);
    if s.contains("<!ENTITY") || s.contains("ENTITY") {
        XmlError("XML with an entity declaration (<!DOCTYPE … <!ENTITY …>) is refused: packages never need one".into())
    } else {
        XmlError("XML with a <!DOCTYPE> is refused: packages never need one".into())
    }
}

/// One element subtree: attributes, text and child elements. Names are local names
/// (namespace prefixes dropped).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Record {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Record>,
}

/// Maximum nesting below a record, and maximum text held for one record.
const MAX_RECORD_DEPTH: usize = 64;
/// Largest text of one field of a directory record (names, descriptions, …).
const MAX_RECORD_TEXT: usize = 16 * 1024 * 1024;

impl Record {
    /// A field by name, case-insensitive: the attribute, else the text of a child element
    /// of that name (the attribute-or-element rule of export-package.md).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
            .or_else(|| self.child(key).map(|c| c.text.as_str()))
    }

    /// A field whose element form may be hex-encoded (`enc="hex"`) by our writer.
    pub fn get_text(&self, key: &str) -> Result<Option<String>, XmlError> {
        if let Some((_, v)) = self.attrs.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Ok(Some(v.clone()));
        }
        match self.child(key) {
            Some(c) => c.decoded_text().map(Some),
            None => Ok(None),
        }
    }

    /// This element's text, hex-decoded when it carries `enc="hex"`.
    pub fn decoded_text(&self) -> Result<String, XmlError> {
        match self
            .attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("enc"))
        {
            Some((_, e)) if e.eq_ignore_ascii_case("hex") => {
                let bytes = hex::decode(self.text.trim()).map_err(|e| {
                    XmlError(format!(
                        "<{}> has enc=\"hex\" but is not hex: {e}",
                        self.name
                    ))
                })?;
                String::from_utf8(bytes)
                    .map_err(|_| XmlError(format!("<{}> hex text is not UTF-8", self.name)))
            }
            Some((_, e)) => Err(XmlError(format!(
                "<{}> has unknown encoding enc=\"{e}\"",
                self.name
            ))),
            None => Ok(self.text.clone()),
        }
    }

    /// The first child with that local name (case-insensitive).
    pub fn child(&self, name: &str) -> Option<&Record> {
        self.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// All descendants with that local name (case-insensitive), depth first.
    pub fn descendants<'a>(&'a self, name: &'a str, out: &mut Vec<&'a Record>) {
        for c in &self.children {
            if c.name.eq_ignore_ascii_case(name) {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
}

fn local_name(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

fn start_record(e: &BytesStart<'_>) -> Result<Record, XmlError> {
    let mut rec = Record {
        name: local_name(e),
        ..Record::default()
    };
    for a in e.attributes() {
        let a = a?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        if key == "xmlns" || a.key.as_ref().starts_with(b"xmlns:") {
            continue;
        }
        let v = a
            .unescape_value()
            .map_err(|x| XmlError(format!("bad attribute {key}: {x}")))?;
        rec.attrs.push((key, v.into_owned()));
    }
    Ok(rec)
}

/// What [`walk`] hands the callback: a record, with the attributes of its open ancestors
/// (outermost first) as context.
pub(crate) struct Found<'a> {
    pub ancestors: &'a [Record],
    pub record: Record,
}

/// Streams an entry: every element whose local name is in `record_names` is read as a
/// [`Record`] (its whole subtree) and passed to `f`; other elements are walked into, with
/// their attributes kept as context. Refuses DTDs and undefined entities; reports truncated
/// XML.
pub(crate) fn walk<R: BufRead>(
    input: R,
    record_names: &[&str],
    mut f: impl FnMut(Found<'_>) -> Result<(), XmlError>,
) -> Result<(), XmlError> {
    let mut reader = xml_reader(input);
    let mut buf = Vec::with_capacity(4096);
    let mut ancestors: Vec<Record> = Vec::new();
    let mut seen_root = false;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf)? {
            Event::DocType(t) => return Err(refuse_doctype(&t)),
            Event::Start(e) => {
                seen_root = true;
                let name = local_name(&e);
                if record_names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                    let rec = start_record(&e)?;
                    let rec = read_subtree(&mut reader, rec, 0)?;
                    f(Found {
                        ancestors: &ancestors,
                        record: rec,
                    })?;
                } else {
                    ancestors.push(start_record(&e)?);
                }
            }
            Event::Empty(e) => {
                seen_root = true;
                let name = local_name(&e);
                if record_names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                    let rec = start_record(&e)?;
                    f(Found {
                        ancestors: &ancestors,
                        record: rec,
                    })?;
                }
            }
            Event::End(_) => {
                ancestors.pop();
            }
            Event::Eof => {
                if !ancestors.is_empty() {
                    return Err(XmlError(format!(
                        "XML ends inside <{}> (truncated entry?)",
                        ancestors.last().map(|a| a.name.as_str()).unwrap_or("?")
                    )));
                }
                if !seen_root {
                    return Err(XmlError("no XML element found (empty or not XML)".into()));
                }
                return Ok(());
            }
            Event::GeneralRef(r) => {
                // text between container elements is ignored, but the reference must be valid
                let mut sink = String::new();
                resolve_ref(&r, &mut sink)?;
            }
            Event::Decl(d) => check_decl(&d)?,
            Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
}

/// Refuses an XML declaration naming an encoding other than UTF-8 / UTF-16 (or ASCII, a
/// subset of UTF-8): the reader decodes only those (export-package.md), and guessing a
/// legacy code page would silently garble names and messages.
pub(crate) fn check_decl(d: &quick_xml::events::BytesDecl<'_>) -> Result<(), XmlError> {
    let Some(enc) = d.encoding() else {
        return Ok(());
    };
    let enc = enc.map_err(|e| XmlError(format!("malformed XML declaration: {e}")))?;
    let name = String::from_utf8_lossy(&enc).trim().to_ascii_lowercase();
    match name.as_str() {
        "utf-8" | "utf8" | "utf-16" | "utf16" | "utf-16le" | "utf-16be" | "unicode"
        | "us-ascii" | "ascii" => Ok(()),
        other => Err(XmlError(format!(
            "the XML declares encoding \"{other}\"; packages are read as UTF-8 or UTF-16 only — \
             re-save the file as UTF-8 (or re-run the export)"
        ))),
    }
}

/// One message as the fast content reader sees it: borrowed fields, valid until the next
/// message.
pub(crate) struct RawMessage<'a> {
    /// `id` of the nearest enclosing `<Room>`.
    pub room: &'a str,
    /// `id` (legacy chatID).
    pub id: &'a str,
    /// `date` (ticks).
    pub date: &'a str,
    /// `poster` (legacy prinID).
    pub poster: &'a str,
    /// `alert`.
    pub alert: &'a str,
    /// `enc` ("hex" or empty).
    pub enc: &'a str,
    /// The element's own text (child elements' text excluded).
    pub text: &'a str,
}

#[derive(Default)]
struct MsgBuf {
    id: String,
    date: String,
    poster: String,
    alert: String,
    enc: String,
    text: String,
}

impl MsgBuf {
    fn clear(&mut self) {
        self.id.clear();
        self.date.clear();
        self.poster.clear();
        self.alert.clear();
        self.enc.clear();
        self.text.clear();
    }

    fn field(&mut self, key: &[u8]) -> Option<&mut String> {
        let eq = |k: &str| key.eq_ignore_ascii_case(k.as_bytes());
        if eq("id") {
            Some(&mut self.id)
        } else if eq("date") {
            Some(&mut self.date)
        } else if eq("poster") {
            Some(&mut self.poster)
        } else if eq("alert") {
            Some(&mut self.alert)
        } else if eq("enc") {
            Some(&mut self.enc)
        } else {
            None
        }
    }
}

fn push_text(out: &mut String, add: &str, cap: usize) -> Result<(), XmlError> {
    if out.len() + add.len() > cap {
        return Err(XmlError(format!(
            "a text of more than {cap} bytes (over the per-text limit); refusing it"
        )));
    }
    out.push_str(add);
    Ok(())
}

fn fill_attrs(e: &BytesStart<'_>, m: &mut MsgBuf, cap: usize) -> Result<(), XmlError> {
    // Duplicate attributes are refused here rather than by quick-xml's checking iterator,
    // which allocates a list of keys for every element: this runs once per message.
    const SEEN: usize = 16;
    let mut seen: [&[u8]; SEEN] = [&[]; SEEN];
    let mut more: Vec<&[u8]> = Vec::new();
    for (n, a) in e.attributes().with_checks(false).enumerate() {
        let a = a?;
        let key = a.key.into_inner();
        if seen[..n.min(SEEN)].contains(&key) || more.contains(&key) {
            return Err(XmlError(format!(
                "malformed XML attribute: duplicated attribute {}",
                String::from_utf8_lossy(key)
            )));
        }
        if n < SEEN {
            seen[n] = key;
        } else {
            more.push(key);
        }
        let Some(slot) = m.field(a.key.local_name().as_ref()) else {
            // other attributes are tolerated, but must still be well-formed text
            if a.value.contains(&b'&') {
                a.unescape_value()
                    .map_err(|x| XmlError(format!("bad attribute: {x}")))?;
            }
            continue;
        };
        slot.clear();
        if a.value.contains(&b'&') {
            let v = a
                .unescape_value()
                .map_err(|x| XmlError(format!("bad attribute: {x}")))?;
            push_text(slot, &v, cap)?;
        } else {
            let v = std::str::from_utf8(&a.value)
                .map_err(|e| XmlError(format!("attribute is not valid UTF-8: {e}")))?;
            push_text(slot, v, cap)?;
        }
    }
    Ok(())
}

/// The fast path of content entries: streams every `<Message>` element (case-insensitive,
/// any depth) with the `id` of its nearest enclosing `<Room>`, without building a record
/// tree and without allocating per message. Fields may be attributes or child elements
/// (`<Message><date>…</date>text</Message>`), like everywhere else. The same refusals as
/// [`walk`]: DTDs, undefined entities, unsupported declared encodings, truncation, nesting
/// deeper than 64 levels; plus texts longer than `max_text` bytes.
pub(crate) fn walk_messages<R: BufRead>(
    input: R,
    max_text: usize,
    mut f: impl FnMut(&RawMessage<'_>) -> Result<(), XmlError>,
) -> Result<(), XmlError> {
    let mut reader = xml_reader(input);
    let mut buf = Vec::with_capacity(64 * 1024);
    // open containers: the room id each one establishes (None = not a room)
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let mut seen_root = false;
    let mut msg = MsgBuf::default();
    let mut child_buf = String::new();
    let mut body_buf = Vec::with_capacity(1024);
    let is = |name: &[u8], want: &str| name.eq_ignore_ascii_case(want.as_bytes());
    let current_room = |stack: &[(String, Option<String>)]| -> Option<usize> {
        stack.iter().rposition(|(_, r)| r.is_some())
    };
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf)? {
            Event::DocType(t) => return Err(refuse_doctype(&t)),
            Event::Decl(d) => check_decl(&d)?,
            Event::Start(e) => {
                seen_root = true;
                let name = e.local_name();
                if is(name.as_ref(), "Message") {
                    msg.clear();
                    fill_attrs(&e, &mut msg, max_text)?;
                    read_message_body(
                        &mut reader,
                        &mut msg,
                        &mut child_buf,
                        &mut body_buf,
                        max_text,
                    )?;
                    let room = current_room(&stack)
                        .and_then(|i| stack[i].1.as_deref())
                        .ok_or_else(|| XmlError("a <Message> outside a <Room id=…>".into()))?;
                    emit(room, &msg, &mut f)?;
                } else {
                    if stack.len() >= MAX_RECORD_DEPTH {
                        return Err(XmlError(format!(
                            "elements nested deeper than {MAX_RECORD_DEPTH} levels"
                        )));
                    }
                    let room = if is(name.as_ref(), "Room") {
                        let mut id = None;
                        for a in e.attributes() {
                            let a = a?;
                            if a.key.local_name().as_ref().eq_ignore_ascii_case(b"id") {
                                id = Some(
                                    a.unescape_value()
                                        .map_err(|x| XmlError(format!("bad attribute: {x}")))?
                                        .into_owned(),
                                );
                            }
                        }
                        Some(id.ok_or_else(|| XmlError("a <Room> has no id".into()))?)
                    } else {
                        for a in e.attributes() {
                            a?;
                        }
                        None
                    };
                    stack.push((String::from_utf8_lossy(name.as_ref()).into_owned(), room));
                }
            }
            Event::Empty(e) => {
                seen_root = true;
                if is(e.local_name().as_ref(), "Message") {
                    msg.clear();
                    fill_attrs(&e, &mut msg, max_text)?;
                    let room = current_room(&stack)
                        .and_then(|i| stack[i].1.as_deref())
                        .ok_or_else(|| XmlError("a <Message> outside a <Room id=…>".into()))?;
                    emit(room, &msg, &mut f)?;
                } else {
                    for a in e.attributes() {
                        a?;
                    }
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => {
                if let Some((name, _)) = stack.last() {
                    return Err(XmlError(format!(
                        "XML ends inside <{name}> (truncated entry?)"
                    )));
                }
                if !seen_root {
                    return Err(XmlError("no XML element found (empty or not XML)".into()));
                }
                return Ok(());
            }
            Event::GeneralRef(r) => {
                let mut sink = String::new();
                resolve_ref(&r, &mut sink)?;
            }
            Event::Text(t) => {
                // text between containers is ignored but must decode
                t.xml10_content()?;
            }
            Event::CData(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
}

fn emit(
    room: &str,
    m: &MsgBuf,
    f: &mut impl FnMut(&RawMessage<'_>) -> Result<(), XmlError>,
) -> Result<(), XmlError> {
    f(&RawMessage {
        room,
        id: &m.id,
        date: &m.date,
        poster: &m.poster,
        alert: &m.alert,
        enc: &m.enc,
        text: &m.text,
    })
}

/// Reads the inside of a `<Message>` up to its end tag: text into `msg.text`, one level of
/// child elements into the named fields. `buf` is the caller's, reused from message to message.
fn read_message_body<R: BufRead>(
    reader: &mut quick_xml::Reader<R>,
    msg: &mut MsgBuf,
    child: &mut String,
    buf: &mut Vec<u8>,
    max_text: usize,
) -> Result<(), XmlError> {
    loop {
        buf.clear();
        match reader.read_event_into(buf)? {
            Event::Text(t) => push_text(&mut msg.text, &t.xml10_content()?, max_text)?,
            Event::CData(t) => push_text(&mut msg.text, &t.xml10_content()?, max_text)?,
            Event::GeneralRef(r) => {
                let mut s = String::new();
                resolve_ref(&r, &mut s)?;
                push_text(&mut msg.text, &s, max_text)?;
            }
            Event::End(_) => return Ok(()),
            Event::Empty(e) => {
                for a in e.attributes() {
                    a?;
                }
                if let Some(slot) = msg.field(e.local_name().as_ref()) {
                    slot.clear();
                }
            }
            Event::Start(e) => {
                let key = e.local_name().as_ref().to_vec();
                for a in e.attributes() {
                    a?;
                }
                child.clear();
                let mut cbuf = Vec::new();
                loop {
                    cbuf.clear();
                    match reader.read_event_into(&mut cbuf)? {
                        Event::Text(t) => push_text(child, &t.xml10_content()?, max_text)?,
                        Event::CData(t) => push_text(child, &t.xml10_content()?, max_text)?,
                        Event::GeneralRef(r) => resolve_ref(&r, child)?,
                        Event::End(_) => break,
                        Event::Start(_) | Event::Empty(_) => {
                            return Err(XmlError(
                                "unexpected element nested inside a field of <Message>".into(),
                            ));
                        }
                        Event::DocType(t) => return Err(refuse_doctype(&t)),
                        Event::Eof => {
                            return Err(XmlError(
                                "XML ends inside <Message> (truncated entry?)".into(),
                            ));
                        }
                        Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
                    }
                }
                if let Some(slot) = msg.field(&key) {
                    slot.clear();
                    slot.push_str(child);
                }
            }
            Event::DocType(t) => return Err(refuse_doctype(&t)),
            Event::Eof => {
                return Err(XmlError(
                    "XML ends inside <Message> (truncated entry?)".into(),
                ));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
}

fn read_subtree<R: BufRead>(
    reader: &mut quick_xml::Reader<R>,
    mut rec: Record,
    depth: usize,
) -> Result<Record, XmlError> {
    if depth > MAX_RECORD_DEPTH {
        return Err(XmlError(format!(
            "elements nested deeper than {MAX_RECORD_DEPTH} levels"
        )));
    }
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf)? {
            Event::DocType(t) => return Err(refuse_doctype(&t)),
            Event::Start(e) => {
                let child = start_record(&e)?;
                let child = read_subtree(reader, child, depth + 1)?;
                rec.children.push(child);
            }
            Event::Empty(e) => rec.children.push(start_record(&e)?),
            Event::End(_) => return Ok(rec),
            Event::Text(t) => push_text(&mut rec.text, &t.xml10_content()?, MAX_RECORD_TEXT)?,
            Event::CData(t) => push_text(&mut rec.text, &t.xml10_content()?, MAX_RECORD_TEXT)?,
            Event::GeneralRef(r) => resolve_ref(&r, &mut rec.text)?,
            Event::Eof => {
                return Err(XmlError(format!(
                    "XML ends inside <{}> (truncated entry?)",
                    rec.name
                )));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
}

/// True when `s` cannot travel as XML 1.0 element text, even escaped: characters XML 1.0
/// forbids (control characters other than tab, line feed and carriage return — the writer
/// escapes `\r` as `&#13;` — and U+FFFE / U+FFFF).
pub(crate) fn needs_hex(s: &str) -> bool {
    s.bytes()
        .any(|b| b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r'))
        || (s.contains('\u{FFFE}') || s.contains('\u{FFFF}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(xml: &[u8], names: &[&str]) -> Result<Vec<Record>, XmlError> {
        let mut out = Vec::new();
        walk(utf8_reader(xml).unwrap(), names, |f| {
            out.push(f.record);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn attribute_and_element_forms_read_alike() {
        let xml = br#"<Pool><AdUsers>
            <User principalId="7" UserPrincipalName="a@contoso.lab"/>
            <User><principalId>8</principalId><UserPrincipalName>b@contoso.lab</UserPrincipalName><Extra x="1"/></User>
        </AdUsers></Pool>"#;
        let recs = collect(xml, &["User"]).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].get("principalid"), Some("7"));
        assert_eq!(recs[1].get("principalId"), Some("8"));
        assert_eq!(recs[1].get("UserPrincipalName"), Some("b@contoso.lab"));
    }

    #[test]
    fn utf16_with_bom_and_utf8_bom_are_read() {
        let text = "<?xml version=\"1.0\" encoding=\"utf-16\"?><Pool><User principalId=\"1\" name=\"주간 회의 🎉\"/></Pool>";
        for big in [false, true] {
            let mut bytes = if big {
                vec![0xFE, 0xFF]
            } else {
                vec![0xFF, 0xFE]
            };
            for u in text.encode_utf16() {
                bytes.extend_from_slice(&if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                });
            }
            let recs = collect(&bytes, &["User"]).unwrap();
            assert_eq!(recs[0].get("name"), Some("주간 회의 🎉"));
        }
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(b"<Pool><User principalId=\"2\"/></Pool>");
        assert_eq!(
            collect(&bom, &["User"]).unwrap()[0].get("principalId"),
            Some("2")
        );
    }

    #[test]
    fn dtd_and_entities_are_refused() {
        let xml = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><Pool><User id="&lol;"/></Pool>"#;
        let e = collect(xml, &["User"]).unwrap_err();
        assert!(e.0.contains("entity"), "{e}");
        let xml = br#"<!DOCTYPE Pool SYSTEM "http://x/y.dtd"><Pool/>"#;
        assert!(collect(xml, &["User"]).unwrap_err().0.contains("DOCTYPE"));
        let xml = br#"<Pool><User><Name>a &foo; b</Name></User></Pool>"#;
        assert!(
            collect(xml, &["User"])
                .unwrap_err()
                .0
                .contains("undefined entity")
        );
    }

    #[test]
    fn duplicate_message_attributes_are_refused() {
        let walk = |xml: &str| {
            let mut n = 0;
            walk_messages(xml.as_bytes(), 1024, |_| {
                n += 1;
                Ok(())
            })
            .map(|()| n)
        };
        let ok = r#"<Content><Room id="1"><Message id="1" date="5" poster="2" alert="0" x="1" y="2">t</Message></Room></Content>"#;
        assert_eq!(walk(ok).unwrap(), 1);
        for bad in [
            r#"<Content><Room id="1"><Message id="1" date="5" id="2" poster="2">t</Message></Room></Content>"#,
            r#"<Content><Room id="1"><Message id="1" x="1" date="5" x="2" poster="2"/></Room></Content>"#,
        ] {
            let e = walk(bad).unwrap_err();
            assert!(e.0.contains("duplicated attribute"), "{e}");
        }
        // past the first sixteen attributes too
        let many: String = (0..20).map(|i| format!(" a{i}=\"v\"")).collect();
        let bad = format!(
            r#"<Content><Room id="1"><Message id="1" date="5" poster="2"{many} a19="w">t</Message></Room></Content>"#
        );
        assert!(
            walk(&bad)
                .unwrap_err()
                .0
                .contains("duplicated attribute a19")
        );
    }

    #[test]
    fn references_and_truncation() {
        let xml = br#"<Pool><User><Name>a &amp; b &#233; &#x1F600; &lt;x&gt;</Name></User></Pool>"#;
        assert_eq!(
            collect(xml, &["User"]).unwrap()[0].get("Name"),
            Some("a & b é 😀 <x>")
        );
        let e = collect(br#"<Pool><User><Name>abc"#, &["User"]).unwrap_err();
        assert!(e.0.contains("truncated"), "{e}");
        let e = collect(br#"<Pool><Other>"#, &["User"]).unwrap_err();
        assert!(e.0.contains("truncated"), "{e}");
    }

    #[test]
    fn hex_text_decodes() {
        let xml = br#"<M><Name enc="hex">610d0a07</Name></M>"#;
        let r = &collect(xml, &["M"]).unwrap()[0];
        assert_eq!(r.get_text("Name").unwrap().as_deref(), Some("a\r\n\u{7}"));
        assert!(needs_hex("\u{7}") && needs_hex("x\u{FFFF}") && !needs_hex("a\r\nb\t😀"));
    }
}
