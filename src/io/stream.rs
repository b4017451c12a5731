//! A forward-only reader of JSON structure, so a GeoJSON file of any size is
//! read through a small window instead of being held in memory whole.
//!
//! The [`Scanner`] finds where each JSON value begins and ends (strings,
//! nesting) and keeps the line and column of its position for messages; it
//! does not build values. The values themselves — each feature of a
//! collection — are parsed by `serde_json` from the slices it hands out.
//! The bytes already consumed are dropped from the window when the caller
//! says so ([`Scanner::compact`]).

use std::io::Read;

use super::LoadError;
use crate::model::props::value_extent;

/// How much is read from the source at a time.
const READ_CHUNK: usize = 4 << 20;

/// A window on a JSON byte stream with the line/column of its position.
pub struct Scanner<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Line (1-based) at `pos`, and the absolute offset where that line starts.
    line: usize,
    line_start: u64,
}

impl<R: Read> Scanner<R> {
    pub fn new(src: R) -> Self {
        Scanner { src, buf: Vec::new(), pos: 0, eof: false, base: 0, line: 1, line_start: 0 }
    }

    /// The buffered bytes from the position on.
    pub fn rest(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// The buffered bytes from `abs` (an absolute offset still in the window) to `abs + len`.
    pub fn slice(&self, abs: u64, len: usize) -> &[u8] {
        let start = (abs - self.base) as usize;
        &self.buf[start..start + len]
    }

    /// Absolute offset of the position.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Line and column (1-based, in bytes as serde_json counts) of the position.
    pub fn place(&self) -> (usize, usize) {
        (self.line, (self.offset() - self.line_start) as usize + 1)
    }

    /// A JSON syntax error at the position.
    pub fn error(&self, message: impl Into<String>) -> LoadError {
        let (line, column) = self.place();
        LoadError::Json { line, column, message: message.into() }
    }

    /// Reads more of the source onto the end of the window; false at the end.
    fn fill(&mut self, at_least: usize) -> Result<bool, LoadError> {
        if self.eof {
            return Ok(false);
        }
        let want = at_least.max(READ_CHUNK);
        // Room for what is asked for now; the read grows the window only as far as
        // the source has bytes, so a small file costs its size, not a chunk.
        self.buf.try_reserve(at_least.max(1 << 16)).map_err(|_| out_of_memory(at_least))?;
        // A gzip stream's faults come from here too; their messages say what they are.
        let got = (&mut self.src).take(want as u64).read_to_end(&mut self.buf)?;
        self.eof = got < want;
        Ok(got > 0)
    }

    /// Drops the bytes before the position from the window (offsets handed
    /// out earlier must not be used after this).
    pub fn compact(&mut self) {
        if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
            // A window grown for one large value goes back to its usual size.
            if self.buf.capacity() > 4 * READ_CHUNK && self.buf.len() < READ_CHUNK {
                self.buf.shrink_to(2 * READ_CHUNK);
            }
        }
    }

    /// Moves the position on by `n` buffered bytes, counting lines.
    pub fn advance(&mut self, n: usize) {
        let part = &self.buf[self.pos..self.pos + n];
        if let Some(i) = memchr::memrchr(b'\n', part) {
            self.line += memchr::memchr_iter(b'\n', part).count();
            self.line_start = self.offset() + i as u64 + 1;
        }
        self.pos += n;
    }

    /// Skips a UTF-8 byte order mark at the very start.
    pub fn skip_bom(&mut self) -> Result<(), LoadError> {
        while self.buf.len() < 3 && self.fill(3)? {}
        if self.buf.starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
            self.line_start = 3;
        }
        Ok(())
    }

    /// Skips whitespace and returns the next byte without consuming it (None at the end).
    pub fn peek(&mut self) -> Result<Option<u8>, LoadError> {
        loop {
            let n = self.rest().iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')).count();
            self.advance(n);
            if let Some(b) = self.rest().first() {
                return Ok(Some(*b));
            }
            if !self.fill(0)? {
                return Ok(None);
            }
        }
    }

    /// Consumes `byte` (after whitespace) or fails naming what was expected.
    pub fn expect(&mut self, byte: u8, what: &str) -> Result<(), LoadError> {
        match self.peek()? {
            Some(b) if b == byte => {
                self.advance(1);
                Ok(())
            }
            Some(_) => Err(self.error(format!("expected {what}"))),
            None => Err(self.error_at_end()),
        }
    }

    /// The length of the JSON value starting at the position (whitespace
    /// already skipped), reading more of the source as needed. The value is
    /// not validated here; whoever parses its slice does that.
    pub fn value_len(&mut self) -> Result<usize, LoadError> {
        loop {
            if let Some(n) = value_extent(self.rest()) {
                return Ok(n);
            }
            let have = self.rest().len();
            if !self.fill(have)? {
                let rest = self.rest();
                // A scalar may end at the end of the input; anything open is truncated.
                return match rest.first() {
                    Some(b'{' | b'[' | b'"') | None => Err(self.error_at_end()),
                    Some(_) => Ok(rest.len()),
                };
            }
        }
    }

    /// "Truncated", placed at the end of the input.
    fn error_at_end(&self) -> LoadError {
        let rest = self.rest();
        let (line, column) = match rest.iter().rposition(|b| *b == b'\n') {
            Some(i) => (self.line + rest.iter().filter(|b| **b == b'\n').count(), rest.len() - i),
            None => (self.line, self.place().1 + rest.len()),
        };
        LoadError::Json { line, column, message: "the file ends in the middle of the JSON (truncated?)".into() }
    }

    /// Reads everything left (for small documents that are not collections).
    pub fn read_rest(&mut self, limit: usize) -> Result<&[u8], LoadError> {
        while self.fill(0)? {
            if self.rest().len() > limit {
                return Err(self.error("the document is too large to be read as one object"));
            }
        }
        Ok(self.rest())
    }
}

fn out_of_memory(bytes: usize) -> LoadError {
    LoadError::OutOfMemory(crate::error::OutOfMemory::Reading { mb: (bytes >> 20) as u64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_small_chunks_with_lines() {
        // A reader that gives one byte at a time tests the refills.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                match self.0.split_first() {
                    Some((b, rest)) if !out.is_empty() => {
                        out[0] = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let text = b"\n  {\"a\": [1,\n 2]}";
        let mut s = Scanner::new(OneByte(text));
        assert_eq!(s.peek().unwrap(), Some(b'{'));
        assert_eq!(s.place(), (2, 3));
        let n = s.value_len().unwrap();
        assert_eq!(n, text.len() - 3);
        s.advance(n);
        assert_eq!(s.place(), (3, 5));
        assert_eq!(s.peek().unwrap(), None);
    }

    #[test]
    fn a_truncated_value_is_an_error_naming_the_end() {
        let mut s = Scanner::new(&b"{\"a\": [1,\n2"[..]);
        s.peek().unwrap();
        let e = s.value_len().expect_err("truncated");
        assert!(e.to_string().starts_with("line 2, column 2"), "{e}");
    }
}
