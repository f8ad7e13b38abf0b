//! Serialising builds of one output folder, and recovering from a build that was killed.
//!
//! Next to the output folder `public/` live two small files of ours:
//! - `.public.policykb-lock`: held with an exclusive advisory lock for the whole write; a
//!   second build of the same output waits for it (and says so). It is never deleted, so two
//!   processes always lock the same file.
//! - `.public.policykb-journal`: the names of the folders a build is working with, written
//!   (atomically) before the folder is used. A build that finds a journal knows the previous
//!   one was interrupted: it puts the old site back if the output folder is missing, then
//!   deletes exactly the folders named there, which it can prove are its own. A folder that
//!   merely looks like ours but is not in the journal is never deleted.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::{io_error, OutputError};

/// Holds the lock on one output folder until dropped.
pub struct OutputLock {
    _file: File,
    journal: Journal,
}

impl OutputLock {
    /// Locks `output` (an absolute path), calling `waiting` first if another build holds it,
    /// then finishes what an interrupted build left behind.
    pub fn acquire(output: &Path, waiting: &dyn Fn()) -> Result<OutputLock, OutputError> {
        let path = sibling(output, "lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                waiting();
                file.lock().map_err(io_error(&path))?;
            }
            Err(TryLockError::Error(error)) => return Err(io_error(&path)(error)),
        }
        let journal = Journal {
            path: sibling(output, "journal"),
            output: output.to_path_buf(),
        };
        journal.recover()?;
        Ok(OutputLock {
            _file: file,
            journal,
        })
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }
}

/// A folder a build works with, as the journal records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The new site being written; after the swap, it holds the old site being deleted.
    Staging,
    /// The old site moved aside (only where the folders cannot be exchanged in one step).
    Old,
}

impl Role {
    fn word(self) -> &'static str {
        match self {
            Role::Staging => "staging",
            Role::Old => "old",
        }
    }
}

pub struct Journal {
    path: PathBuf,
    output: PathBuf,
}

impl Journal {
    /// Records the folders in use; written to a temporary file and renamed, so a crash leaves
    /// either the old journal or the new one.
    pub fn record(&self, folders: &[(Role, &Path)]) -> Result<(), OutputError> {
        let mut text = String::new();
        for (role, folder) in folders {
            let name = folder.file_name().unwrap_or_default().to_string_lossy();
            text.push_str(&format!("{} {name}\n", role.word()));
        }
        let temporary = self.path.with_extension("tmp");
        fs::write(&temporary, text).map_err(io_error(&temporary))?;
        fs::rename(&temporary, &self.path).map_err(io_error(&self.path))
    }

    /// Forgets every folder: the build is over and they are gone.
    pub fn clear(&self) -> Result<(), OutputError> {
        match fs::remove_file(&self.path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(io_error(&self.path)(error))
            }
            _ => Ok(()),
        }
    }

    /// Puts the old site back if an interrupted swap left no output folder, then deletes the
    /// folders the journal names.
    fn recover(&self) -> Result<(), OutputError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(io_error(&self.path)(error)),
        };
        let entries: Vec<(&str, PathBuf)> = text
            .lines()
            .filter_map(|line| line.split_once(' '))
            .filter(|(_, name)| self.is_our_name(name))
            .map(|(role, name)| (role, self.output.with_file_name(name)))
            .collect();
        if !self.output.exists() {
            // policykb 0.1 moved the old site to `.public.policykb-old` (marked) during a swap.
            let legacy = sibling(&self.output, "old");
            if legacy.join(super::MANIFEST_FILE).is_file() {
                fs::rename(&legacy, &self.output).map_err(io_error(&self.output))?;
            }
        }
        if !self.output.exists() {
            let old = entries
                .iter()
                .find(|(role, folder)| *role == Role::Old.word() && folder.is_dir());
            if let Some((_, old)) = old {
                fs::rename(old, &self.output).map_err(io_error(&self.output))?;
            }
        }
        for (_, folder) in &entries {
            if folder.exists() {
                fs::remove_dir_all(folder).map_err(io_error(folder))?;
            }
        }
        self.clear()
    }

    /// Journal entries may only name our own siblings: `.public.policykb-…`, nothing else.
    fn is_our_name(&self, name: &str) -> bool {
        let prefix = format!(".{}.policykb-", output_name(&self.output));
        name.starts_with(&prefix) && !name.contains(['/', '\\']) && !name.contains("..")
    }
}

fn output_name(output: &Path) -> String {
    output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `public` → `.public.policykb-<purpose>` next to it.
pub fn sibling(output: &Path, purpose: &str) -> PathBuf {
    output.with_file_name(format!(".{}.policykb-{purpose}", output_name(output)))
}
