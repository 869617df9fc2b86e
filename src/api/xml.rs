//! A small, tolerant XML tree for every XML payload (vCD's REST and vim's SOAP): local names only
//! (vCD mixes the vcloud, ovf, rasd, vmext … namespaces freely and adds new ones), unknown
//! content kept but ignored, and hard limits on depth and size so a hostile or broken body
//! cannot exhaust the stack or memory.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesStart, Event};

use crate::api::error::{ApiError, ApiResult};

/// Deeper than any real vCD document (the server itself refuses depth > 100).
pub const MAX_DEPTH: usize = 128;
/// Elements per document; a 128-record query page has a few thousand.
pub const MAX_ELEMENTS: usize = 2_000_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name, without namespace prefix.
    pub name: Box<str>,
    /// Attributes by local name (`xmlns` declarations dropped), values unescaped.
    pub attrs: Vec<(Box<str>, String)>,
    pub children: Vec<Element>,
    /// Concatenated, unescaped text directly inside this element, trimmed.
    pub text: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| &*c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| &*c.name == name)
    }

    /// Text of a direct child, if present and not empty.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// Every descendant (depth first, self excluded) with this local name.
    pub fn descendants<'a>(&'a self, name: &'a str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        let mut stack: Vec<&Element> = self.children.iter().rev().collect();
        while let Some(e) = stack.pop() {
            if &*e.name == name {
                out.push(e);
            }
            stack.extend(e.children.iter().rev());
        }
        out
    }
}

/// An element's attributes: local names (`xmlns` declarations dropped), values unescaped;
/// each borrowed from the body unless it had to be rewritten.
pub type Attrs<'a> = [(Cow<'a, str>, Cow<'a, str>)];

/// What a pass over a document hands on, in document order. The checks (well-formed, depth,
/// size, one root, entities) are the pass's own (`read`), so a tree built from it (`parse`)
/// and a reader that keeps only some of it (a query page's records) accept and refuse the
/// same bodies.
pub trait Visit {
    /// An element opens, `depth` levels under the root (the root is 0), with its local name;
    /// `empty` when it closes at once (`<a/>`: no `close` follows).
    fn open(&mut self, depth: usize, name: &str, attrs: &Attrs<'_>, empty: bool);
    /// The innermost open element closes.
    fn close(&mut self) {}
    /// Text (unescaped) directly inside the innermost open element.
    fn text(&mut self, _text: &str) {}
}

fn local(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

type Owned = Vec<(Cow<'static, str>, Cow<'static, str>)>;

/// The attributes of `e`, in `store`'s room (one vector for the whole document).
fn attributes<'e>(e: &'e BytesStart, store: Owned) -> ApiResult<Vec<(Cow<'e, str>, Cow<'e, str>)>> {
    let mut out = recycle(store);
    for attr in e.attributes().with_checks(false) {
        let attr =
            attr.map_err(|err| ApiError::parse(format!("malformed XML attribute: {err}")))?;
        let key = attr.key.into_inner();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let value = attr
            .unescape_value()
            .map_err(|err| ApiError::parse(format!("malformed XML attribute value: {err}")))?;
        out.push((String::from_utf8_lossy(local(key)), value));
    }
    Ok(out)
}

/// An emptied vector of one lifetime as one of another, keeping its room (collected in place).
fn recycle<'x, 'y>(mut v: Vec<(Cow<'x, str>, Cow<'x, str>)>) -> Vec<(Cow<'y, str>, Cow<'y, str>)> {
    v.clear();
    v.into_iter().map(|_| unreachable!("emptied")).collect()
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// Reads a whole document, handing its elements and their text to `visit`.
pub fn read(body: &[u8], visit: &mut impl Visit) -> ApiResult<()> {
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(false);
    // The open elements' local names, one after the other, and where each starts: for the
    // depth, and the error that says which one was never closed.
    let (mut names, mut starts) = (String::new(), Vec::<usize>::new());
    let mut had_root = false;
    let mut count = 0usize;
    let mut store: Owned = Vec::new();
    let mut ch = String::new();
    let bad = |reader: &Reader<&[u8]>, e: &dyn std::fmt::Display| {
        ApiError::parse(format!(
            "malformed XML at byte {}: {e}",
            reader.buffer_position()
        ))
    };
    loop {
        let event = reader.read_event().map_err(|e| bad(&reader, &e))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if had_root && starts.is_empty() {
                    return Err(ApiError::parse(
                        "malformed XML: content after the root element",
                    ));
                }
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(ApiError::parse(format!(
                        "XML has more than {MAX_ELEMENTS} elements"
                    )));
                }
                let name = String::from_utf8_lossy(local(e.name().into_inner()));
                let attrs = attributes(e, store)?;
                let empty = matches!(event, Event::Empty(_));
                if !empty && starts.len() >= MAX_DEPTH {
                    return Err(ApiError::parse(format!(
                        "XML nested deeper than {MAX_DEPTH} levels"
                    )));
                }
                visit.open(starts.len(), &name, &attrs, empty);
                store = recycle(attrs);
                if empty {
                    had_root |= starts.is_empty();
                } else {
                    starts.push(names.len());
                    names.push_str(&name);
                }
            }
            Event::End(_) => {
                let start =
                    (starts.pop()).ok_or_else(|| bad(&reader, &"unexpected closing tag"))?;
                names.truncate(start);
                had_root |= starts.is_empty();
                visit.close();
            }
            // Text outside the root is not read (nor checked).
            Event::Text(t) if !starts.is_empty() => {
                let text = t.xml_content().map_err(|e| bad(&reader, &e))?;
                visit.text(&text);
            }
            Event::CData(t) if !starts.is_empty() => {
                visit.text(&String::from_utf8_lossy(&t));
            }
            Event::GeneralRef(r) if !starts.is_empty() => {
                let name = r.decode().map_err(|e| bad(&reader, &e))?;
                let c = match r.resolve_char_ref().map_err(|e| bad(&reader, &e))? {
                    Some(c) => c,
                    None => entity(&name)
                        .ok_or_else(|| bad(&reader, &format!("unknown entity &{name};")))?,
                };
                ch.clear();
                ch.push(c);
                visit.text(&ch);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(&start) = starts.last() {
        return Err(ApiError::parse(format!(
            "truncated XML: <{}> is never closed",
            &names[start..]
        )));
    }
    match had_root {
        true => Ok(()),
        false => Err(ApiError::parse("empty body: no XML element")),
    }
}

/// Builds the tree of a document (`parse`).
#[derive(Default)]
struct Tree {
    stack: Vec<Element>,
    root: Option<Element>,
}

impl Visit for Tree {
    fn open(&mut self, _depth: usize, name: &str, attrs: &Attrs<'_>, empty: bool) {
        let el = Element {
            name: name.into(),
            attrs: (attrs.iter())
                .map(|(k, v)| (Box::from(&**k), v.clone().into_owned()))
                .collect(),
            ..Element::default()
        };
        match empty {
            true => self.attach(el),
            false => self.stack.push(el),
        }
    }

    fn close(&mut self) {
        // `read` closes only what it opened.
        let Some(mut el) = self.stack.pop() else {
            return;
        };
        let trimmed = el.text.trim();
        if trimmed.len() != el.text.len() {
            el.text = trimmed.to_string();
        }
        self.attach(el);
    }

    fn text(&mut self, text: &str) {
        if let Some(top) = self.stack.last_mut() {
            top.text.push_str(text);
        }
    }
}

impl Tree {
    fn attach(&mut self, el: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None => self.root = Some(el),
        }
    }
}

/// Parses a whole document into its root element.
pub fn parse(body: &[u8]) -> ApiResult<Element> {
    let mut tree = Tree::default();
    read(body, &mut tree)?;
    tree.root
        .ok_or_else(|| ApiError::parse("empty body: no XML element"))
}

/// Re-indents a document for the raw view, keeping prefixes and namespaces as the server sent
/// them. Falls back to the original text when it is not well-formed, so the user still sees it.
pub fn pretty(text: &str) -> String {
    pretty_checked(text).unwrap_or_else(|| text.to_string())
}

fn pretty_checked(text: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut depth = 0usize;
    loop {
        match reader.read_event().ok()? {
            Event::Eof => break,
            event => {
                match &event {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => depth = depth.checked_sub(1)?,
                    _ => {}
                }
                if depth > MAX_DEPTH {
                    return None;
                }
                writer.write_event(event).ok()?;
            }
        }
    }
    String::from_utf8(writer.into_inner()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_attributes_and_entities() {
        let doc = br#"<?xml version="1.0"?>
<VApp xmlns="http://www.vmware.com/vcloud/v1.5" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" name="a &amp; b" status="4">
  <ovf:OperatingSystemSection ovf:id="94"><ovf:Description>Ubuntu &lt;64&gt; &#x41;</ovf:Description></ovf:OperatingSystemSection>
  <Unknown:Thing xmlns:Unknown="urn:x"/>
</VApp>"#;
        let root = parse(doc).unwrap();
        assert_eq!(&*root.name, "VApp");
        assert_eq!(root.attr("name"), Some("a & b"));
        let os = root.child("OperatingSystemSection").unwrap();
        assert_eq!(os.attr("id"), Some("94"));
        assert_eq!(os.child_text("Description"), Some("Ubuntu <64> A"));
        assert!(root.child("Thing").is_some());
    }

    #[test]
    fn rejects_truncated_and_garbage_and_deep() {
        assert!(parse(b"<Vm name=\"x\"><Link").is_err());
        assert!(parse(b"<Vm><A></Vm>").is_err());
        assert!(parse(b"").is_err());
        assert!(parse(b"not xml at all").is_err());
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        let err = parse(deep.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("deeper"), "{err}");
    }

    #[test]
    fn pretty_indents_and_keeps_bad_input() {
        let out = pretty("<a x=\"1\"><b>t</b><c/></a>");
        assert_eq!(out, "<a x=\"1\">\n  <b>t</b>\n  <c/>\n</a>");
        assert_eq!(pretty("<a><b></a>"), "<a><b></a>");
    }
}
