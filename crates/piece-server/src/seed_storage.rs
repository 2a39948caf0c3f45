//! The storage of a `piece-server seed FILE` torrent: the user's own file, opened read-only.
//! librqbit's filesystem storage opens every file for writing and sets its length at start
//! (`ftruncate`, which bumps the modification time even when the size is right), and would
//! write a piece a peer sent if the file had changed; none of that may touch a file the user
//! only asked us to share. Here every write is refused, and a length that does not match
//! the torrent is an error instead of a truncation.

use std::{
    fs::File,
    io::IoSlice,
    os::unix::fs::FileExt,
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::Context;
use librqbit::{
    storage::{BoxStorageFactory, StorageFactory, StorageFactoryExt, TorrentStorage},
    ManagedTorrentShared, TorrentMetadata,
};

/// Makes a [`ReadOnlyFile`] storage for a single-file torrent whose data is `path`.
#[derive(Clone)]
pub struct ReadOnlyFileFactory {
    pub path: PathBuf,
}

impl StorageFactory for ReadOnlyFileFactory {
    type Storage = ReadOnlyFile;

    fn create(
        &self,
        _: &ManagedTorrentShared,
        _: &TorrentMetadata,
    ) -> anyhow::Result<ReadOnlyFile> {
        Ok(ReadOnlyFile {
            path: self.path.clone(),
            file: None,
        })
    }

    /// Says it stands for librqbit's filesystem storage, as librqbit's own storage middlewares
    /// do: its JSON persistence keeps only torrents whose storage says so, and a seed must be
    /// kept. It would restore them with its writable storage, so `seed_restore.rs` takes them
    /// out of its list before it can and adds them back with this one.
    fn is_type_id(&self, type_id: std::any::TypeId) -> bool {
        type_id == std::any::TypeId::of::<librqbit::storage::filesystem::FilesystemStorageFactory>()
    }

    fn clone_box(&self) -> BoxStorageFactory {
        self.clone().boxed()
    }
}

/// The seeded file, read-only.
pub struct ReadOnlyFile {
    path: PathBuf,
    file: Option<Arc<File>>,
}

impl ReadOnlyFile {
    fn file(&self, file_id: usize) -> anyhow::Result<&File> {
        anyhow::ensure!(
            file_id == 0,
            "a seeded file's torrent has one file, not file {file_id}"
        );
        self.file.as_deref().context("the seeded file is not open")
    }

    fn refuse_write(&self) -> anyhow::Error {
        anyhow::anyhow!(
            "{:?} is seeded read-only: piece-server never writes to a file it seeds",
            self.path.file_name().unwrap_or_default()
        )
    }
}

impl TorrentStorage for ReadOnlyFile {
    fn init(&mut self, _: &ManagedTorrentShared, metadata: &TorrentMetadata) -> anyhow::Result<()> {
        anyhow::ensure!(
            metadata.file_infos.len() == 1,
            "a seeded torrent must have exactly one file"
        );
        let f = File::open(&self.path).with_context(|| {
            format!(
                "cannot open the seeded file {:?}",
                self.path.file_name().unwrap_or_default()
            )
        })?;
        self.file = Some(Arc::new(f));
        Ok(())
    }

    fn pread_exact(&self, file_id: usize, offset: u64, buf: &mut [u8]) -> anyhow::Result<()> {
        Ok(self.file(file_id)?.read_exact_at(buf, offset)?)
    }

    fn pwrite_all(&self, _: usize, _: u64, _: &[u8]) -> anyhow::Result<()> {
        Err(self.refuse_write())
    }

    fn pwrite_all_vectored(&self, _: usize, _: u64, _: [IoSlice<'_>; 2]) -> anyhow::Result<usize> {
        Err(self.refuse_write())
    }

    fn remove_file(&self, _: usize, _: &Path) -> anyhow::Result<()> {
        // Removing the torrent "with its data" must not delete the user's own file.
        Ok(())
    }

    fn remove_directory_if_empty(&self, _: &Path) -> anyhow::Result<()> {
        Ok(())
    }

    fn ensure_file_length(&self, file_id: usize, length: u64) -> anyhow::Result<()> {
        let actual = self.file(file_id)?.metadata()?.len();
        anyhow::ensure!(
            actual == length,
            "the seeded file is {actual} bytes, not the torrent's {length}; it changed after seeding started"
        );
        Ok(())
    }

    fn take(&self) -> anyhow::Result<Box<dyn TorrentStorage>> {
        Ok(Box::new(ReadOnlyFile {
            path: self.path.clone(),
            file: self.file.clone(),
        }))
    }
}
