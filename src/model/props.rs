//! A feature's properties, kept compactly.
//!
//! A city has a million features with a handful of properties each; held as
//! a JSON map each would cost about a kilobyte. [`Props`] keeps the object's
//! JSON text instead (about what the file spent on it) and reads a value
//! when asked. Text with escapes is kept parsed, so that a string read from
//! the text is always the string itself and can be lent out as `&str`.
//!
//! [`value_extent`], which finds where a JSON value ends in such text, lives
//! here so the model needs nothing from `io`; the GeoJSON reader's scanner
//! (`io::stream`) uses it too.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

/// The properties of a feature, in their original order.
#[derive(Clone, Default)]
pub struct Props(Repr);

#[derive(Clone, Default)]
enum Repr {
    #[default]
    Empty,
    /// The text of a JSON object with no backslash anywhere.
    Text(Box<str>),
    Map(Box<Map<String, Value>>),
}

impl Props {
    /// Properties from a map.
    pub fn from_map(map: Map<String, Value>) -> Self {
        if map.is_empty() {
            return Props(Repr::Empty);
        }
        let text = Value::Object(map).to_string();
        Props::from_object_text(text.into_boxed_str())
    }

    /// Properties from JSON text that is an object or `null`; `Err` otherwise.
    pub fn from_json(text: &str) -> Result<Self, String> {
        match text.trim_start().as_bytes().first() {
            Some(b'{') => {
                if text.contains('\\') {
                    let map: Map<String, Value> = serde_json::from_str(text).map_err(|e| e.to_string())?;
                    Ok(Props::from_map(map))
                } else {
                    // Checked here unless the caller already had serde_json validate it.
                    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| e.to_string())?;
                    Ok(Props::from_object_text(text.trim().into()))
                }
            }
            Some(b'n') if text.trim() == "null" => Ok(Props(Repr::Empty)),
            _ => Err("\"properties\" is not an object".into()),
        }
    }

    /// From the text of a JSON object already known to be valid (e.g. a
    /// `RawValue`), without parsing it again.
    pub fn from_valid_json(text: &str) -> Result<Self, String> {
        match text.as_bytes().first() {
            Some(b'{') if !text.contains('\\') => Ok(Props::from_object_text(text.into())),
            _ => Props::from_json(text),
        }
    }

    fn from_object_text(text: Box<str>) -> Self {
        if text.contains('\\') {
            match serde_json::from_str::<Map<String, Value>>(&text) {
                Ok(m) if m.is_empty() => Props(Repr::Empty),
                Ok(m) => Props(Repr::Map(Box::new(m))),
                Err(_) => Props(Repr::Empty),
            }
        } else if members(&text).next().is_none() {
            Props(Repr::Empty)
        } else {
            Props(Repr::Text(text))
        }
    }

    /// A string property, lent out.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        match &self.0 {
            Repr::Empty => None,
            Repr::Text(t) => {
                let v = members(t).find(|(k, _)| *k == key)?.1;
                v.strip_prefix('"').and_then(|v| v.strip_suffix('"'))
            }
            Repr::Map(m) => m.get(key)?.as_str(),
        }
    }

    /// Several string properties in one pass.
    pub fn get_strs<const N: usize>(&self, keys: [&str; N]) -> [Option<&str>; N] {
        let mut out = [None; N];
        self.each_of(&keys, |i, v| {
            out[i] = match v {
                Found::Text(t) => t.strip_prefix('"').and_then(|t| t.strip_suffix('"')),
                Found::Value(v) => v.as_str(),
            }
        });
        out
    }

    /// Calls `f` with the position in `keys` and the value of each member
    /// whose key is one of them, in one pass over the text (a key the text
    /// has twice, twice, in order).
    fn each_of<'a, const N: usize>(&'a self, keys: &[&str; N], mut f: impl FnMut(usize, Found<'a>)) {
        match &self.0 {
            Repr::Empty => {}
            Repr::Text(t) => {
                for (k, v) in members(t) {
                    if let Some(i) = keys.iter().position(|key| *key == k) {
                        f(i, Found::Text(v));
                    }
                }
            }
            Repr::Map(m) => {
                for (i, key) in keys.iter().enumerate() {
                    if let Some(v) = m.get(*key) {
                        f(i, Found::Value(v));
                    }
                }
            }
        }
    }

    /// A property's value.
    pub fn get(&self, key: &str) -> Option<Value> {
        match &self.0 {
            Repr::Empty => None,
            Repr::Text(t) => serde_json::from_str(members(t).find(|(k, _)| *k == key)?.1).ok(),
            Repr::Map(m) => m.get(key).cloned(),
        }
    }

    /// A number, or a string holding one.
    pub fn get_f64(&self, key: &str) -> Option<f64> {
        let [v] = self.get_f64s([key]);
        v
    }

    /// Several numbers at once ([`Props::get_f64`] of each key), in one pass over the text.
    pub fn get_f64s<const N: usize>(&self, keys: [&str; N]) -> [Option<f64>; N] {
        let mut out = [None; N];
        // A key written twice: its first value, as a lookup of that key alone finds.
        let mut seen = [false; N];
        self.each_of(&keys, |i, v| {
            if std::mem::replace(&mut seen[i], true) {
                return;
            }
            out[i] = match v {
                Found::Text(t) => {
                    t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(t).trim().parse().ok()
                }
                Found::Value(Value::Number(n)) => n.as_f64(),
                Found::Value(Value::String(s)) => s.trim().parse().ok(),
                Found::Value(_) => None,
            };
        });
        out.map(|v| v.filter(|v: &f64| v.is_finite()))
    }

    /// Which of several keys are present, in one pass over the text.
    pub fn has_keys<const N: usize>(&self, keys: [&str; N]) -> [bool; N] {
        let mut out = [false; N];
        self.each_of(&keys, |i, _| out[i] = true);
        out
    }

    pub fn contains_key(&self, key: &str) -> bool {
        match &self.0 {
            Repr::Empty => false,
            Repr::Text(t) => members(t).any(|(k, _)| k == key),
            Repr::Map(m) => m.contains_key(key),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self.0, Repr::Empty)
    }

    /// The properties as a map, in order.
    pub fn to_map(&self) -> Map<String, Value> {
        match &self.0 {
            Repr::Empty => Map::new(),
            Repr::Text(t) => serde_json::from_str(t).unwrap_or_default(),
            Repr::Map(m) => (**m).clone(),
        }
    }

    /// The keys and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (String, Value)> {
        self.to_map().into_iter()
    }

    /// The properties as JSON object text.
    pub fn json(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Empty => Cow::Borrowed("{}"),
            Repr::Text(t) => Cow::Borrowed(t),
            Repr::Map(m) => Cow::Owned(serde_json::to_string(m).unwrap_or_else(|_| "{}".into())),
        }
    }

    /// Sets a property, returning the value it had.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        let mut map = self.to_map();
        let old = map.insert(key, value);
        *self = Props::from_map(map);
        old
    }

    /// Removes a property (keeping the others' order), returning its value.
    pub fn shift_remove(&mut self, key: &str) -> Option<Value> {
        if !self.contains_key(key) {
            return None;
        }
        let mut map = self.to_map();
        let old = map.shift_remove(key);
        *self = Props::from_map(map);
        old
    }
}

impl From<Map<String, Value>> for Props {
    fn from(map: Map<String, Value>) -> Self {
        Props::from_map(map)
    }
}

impl PartialEq for Props {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Text(a), Repr::Text(b)) if a == b => true,
            (Repr::Empty, Repr::Empty) => true,
            _ => self.to_map() == other.to_map(),
        }
    }
}

impl fmt::Debug for Props {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.json())
    }
}

/// A member's value as [`Props::each_of`] finds it: the JSON text of a
/// property kept as text, or the value of one kept as a map.
enum Found<'a> {
    Text(&'a str),
    Value(&'a Value),
}

/// The members of a valid JSON object's text as (key, value text) pairs. The
/// text has no backslashes, so a key between its quotes is the key itself.
fn members(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let b = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut i = skip_ws(0) + 1; // past '{'
    std::iter::from_fn(move || {
        i = skip_ws(i);
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_len = value_extent(&b[i..])?;
        let key = &text[i + 1..i + key_len - 1];
        i = skip_ws(i + key_len);
        i = skip_ws(i + 1); // past ':'
        let len = value_extent(&b[i..]).unwrap_or(b.len() - i);
        let value = text[i..i + len].trim_end();
        i = skip_ws(i + len);
        if b.get(i) == Some(&b',') {
            i += 1;
        }
        Some((key, value))
    })
}

/// The length of the JSON value at the start of `b`, or None if `b` ends before it does.
/// Strings and nesting are followed; scalars end at a delimiter.
pub fn value_extent(b: &[u8]) -> Option<usize> {
    match *b.first()? {
        b'"' => string_end(b, 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = 0;
            loop {
                // Most bytes (digits, commas, letters) are skipped by a table look-up.
                i += b.get(i..)?.iter().position(|c| STRUCTURE[*c as usize] != 0)?;
                match STRUCTURE[b[i] as usize] {
                    QUOTE => {
                        i = string_end(b, i + 1)?;
                        continue;
                    }
                    OPEN => depth += 1,
                    _ => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                }
                i += 1;
            }
        }
        _ => b.iter().position(|c| matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')),
    }
}

const QUOTE: u8 = 1;
const OPEN: u8 = 2;
const CLOSE: u8 = 3;

/// The bytes that matter to the nesting of a JSON value; every other byte is 0.
static STRUCTURE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = QUOTE;
    t[b'{' as usize] = OPEN;
    t[b'[' as usize] = OPEN;
    t[b'}' as usize] = CLOSE;
    t[b']' as usize] = CLOSE;
    t
};

/// The index just past the closing quote of a string whose contents start at `i`.
fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let j = i + memchr::memchr2(b'"', b'\\', &b[i..])?;
        if b[j] == b'"' {
            return Some(j + 1);
        }
        i = j + 2;
        if i > b.len() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_props_read_like_a_map() {
        let p = Props::from_json(r#"{ "name" : "幸福里1号楼", "floors":6, "h":"18.5", "tags":{"a":[1,2]}, "n":null }"#)
            .unwrap();
        assert!(matches!(p.0, Repr::Text(_)));
        assert_eq!(p.get_str("name"), Some("幸福里1号楼"));
        assert_eq!(p.get_f64("floors"), Some(6.0));
        assert_eq!(p.get_f64("h"), Some(18.5));
        assert_eq!(p.get("tags"), Some(json!({"a": [1, 2]})));
        assert_eq!(p.get("n"), Some(Value::Null));
        assert_eq!(p.get_str("floors"), None);
        // Several numbers in one pass, each as it is read alone.
        assert_eq!(p.get_f64s(["h", "name", "floors", "width"]), [Some(18.5), None, Some(6.0), None]);
        let twice = Props::from_json(r#"{"w":"x","w":3}"#).unwrap();
        assert_eq!((twice.get_f64s(["w"]), twice.get_f64("w")), ([None], None));
        let map = Props::from_json(r#"{"k":"a\"b","w":" 4 ","inf":"inf"}"#).unwrap();
        assert_eq!(map.get_f64s(["w", "k", "inf"]), [Some(4.0), None, None]);
        assert!(!p.contains_key("nam"));
        assert_eq!(p.has_keys(["tags", "nam", "name"]), [true, false, true]);
        let map = Props::from_json(r#"{"k":"a\"b","w":1}"#).unwrap();
        assert_eq!(map.has_keys(["w", "x", "k"]), [true, false, true]);
        let keys: Vec<String> = p.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["name", "floors", "h", "tags", "n"]);
    }

    #[test]
    fn escaped_text_is_kept_parsed_and_edits_keep_order() {
        let mut p = Props::from_json(r#"{"name":"a\"b","x":1}"#).unwrap();
        assert_eq!(p.get_str("name"), Some("a\"b"));
        assert_eq!(p.insert("y".into(), json!(2)), None);
        assert_eq!(p.shift_remove("name"), Some(json!("a\"b")));
        assert_eq!(p.json(), r#"{"x":1,"y":2}"#);
        assert_eq!(p, Props::from_map(serde_json::from_str(r#"{"x":1,"y":2}"#).unwrap()));
        assert!(Props::from_json("[1]").is_err());
        assert!(Props::from_json("null").unwrap().is_empty());
        assert!(Props::from_json("{ }").unwrap().is_empty());
    }

    #[test]
    fn extents_follow_strings_and_nesting() {
        assert_eq!(value_extent(br#"{"a":"}\"]","b":[1,{"c":2}]} ,"#), Some(28));
        assert_eq!(value_extent(br#""x\\" rest"#), Some(5));
        assert_eq!(value_extent(b"12.5e3, 4"), Some(6));
        assert_eq!(value_extent(b"true]"), Some(4));
        assert_eq!(value_extent(br#"{"a":[1,2"#), None);
        assert_eq!(value_extent(br#""abc\"#), None);
    }
}
