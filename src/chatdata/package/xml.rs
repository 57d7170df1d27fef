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
            Event::Text(_)
            | Event::CData(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_) => {}
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
            Event::Text(t) => rec.text.push_str(&t.xml10_content()?),
            Event::CData(t) => rec.text.push_str(&t.xml10_content()?),
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

/// True when `s` cannot travel as XML 1.0 element text unchanged: characters XML 1.0
/// forbids, or `\r` (which XML parsers normalize away).
pub(crate) fn needs_hex(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\r' | '\u{FFFE}' | '\u{FFFF}') || (c < ' ' && c != '\t' && c != '\n'))
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
        assert!(needs_hex("a\r\nb") && needs_hex("\u{7}") && !needs_hex("a\nb\t😀"));
    }
}
