//! Line reading with a length limit, for the terminal and standard input:
//! a line longer than the limit is discarded (and reported) without ever
//! being held in memory whole.

use std::io::{self, BufRead};

/// One line read with a limit.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// The line, without its newline (and without a trailing `\r`).
    Text(String),
    /// The line was longer than the limit; its bytes were dropped.
    TooLong,
}

/// Reads the next line of at most `max` bytes; `Ok(None)` at the end.
pub fn read_line(reader: &mut impl BufRead, max: usize) -> io::Result<Option<Line>> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            if line.is_empty() && !too_long {
                return Ok(None);
            }
            break;
        }
        let (chunk, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !too_long {
            if line.len() + chunk.len() > max {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if too_long {
        return Ok(Some(Line::TooLong));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(Line::Text(
        String::from_utf8_lossy(&line).into_owned(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_and_refuses_long_ones() {
        let mut input = io::Cursor::new(b"short\r\nxxxxxxxxxxxx\nnext\nlast".to_vec());
        assert_eq!(
            read_line(&mut input, 8).ok().flatten(),
            Some(Line::Text("short".into()))
        );
        assert_eq!(read_line(&mut input, 8).ok().flatten(), Some(Line::TooLong));
        assert_eq!(
            read_line(&mut input, 8).ok().flatten(),
            Some(Line::Text("next".into()))
        );
        assert_eq!(
            read_line(&mut input, 8).ok().flatten(),
            Some(Line::Text("last".into()))
        );
        assert_eq!(read_line(&mut input, 8).ok().flatten(), None);
    }
}
