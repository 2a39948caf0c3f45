//! A [`ByteSource`] over a local file, read through a sliding window (native only: the
//! `riptide-remux` command, tests and benchmarks). Memory is one window, whatever the file size.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::ByteSource;
use crate::error::{Error, Result};

/// Default window: 4 MiB, read at once from the file. Big enough that per-read syscalls are
/// negligible next to parsing, small enough to keep memory flat.
const WINDOW: usize = 4 << 20;

pub struct FileSource {
    file: File,
    size: u64,
    buf: Vec<u8>,
    buf_start: u64,
}

impl FileSource {
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = File::open(path)?;
        let size = file.metadata()?.len();
        Ok(FileSource {
            file,
            size,
            buf: Vec::new(),
            buf_start: 0,
        })
    }
}

impl ByteSource for FileSource {
    fn size(&self) -> Option<u64> {
        Some(self.size)
    }

    fn read_at(&mut self, offset: u64, len: usize) -> Result<&[u8]> {
        let end = offset.saturating_add(len as u64).min(self.size);
        if end <= offset {
            return Ok(&[]);
        }
        let buf_end = self.buf_start + self.buf.len() as u64;
        if offset < self.buf_start || end > buf_end {
            let want = ((end - offset) as usize)
                .max(WINDOW)
                .min((self.size - offset) as usize);
            self.buf.resize(want, 0);
            let io = |e: std::io::Error| Error::Unreadable { what: e.to_string() };
            self.file.seek(SeekFrom::Start(offset)).map_err(io)?;
            self.file.read_exact(&mut self.buf).map_err(io)?;
            self.buf_start = offset;
        }
        let s = (offset - self.buf_start) as usize;
        Ok(&self.buf[s..s + (end - offset) as usize])
    }
}
