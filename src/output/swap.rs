//! Putting the finished site in place of the old one.
//!
//! On Linux the two folders are exchanged with `renameat2(RENAME_EXCHANGE)`: a web server
//! reading `public/` sees the old site or the new one, never a missing folder. Where that
//! call does not exist (other systems, or a filesystem that refuses it), the old site is
//! renamed aside and the new one renamed into place: two renames, between which `public/`
//! is missing for a moment; the journal records the old site's name first, so an
//! interruption there is repaired by the next build.

use std::fs;
use std::path::Path;

use super::lock::{Journal, Role};
use super::{io_error, OutputError};

/// Replaces `output` with `staging`; afterwards `staging` holds the old site (or nothing).
pub fn swap_in(staging: &Path, output: &Path, journal: &Journal) -> Result<(), OutputError> {
    if !output.exists() {
        return fs::rename(staging, output).map_err(io_error(output));
    }
    if exchange(staging, output)? {
        return Ok(());
    }
    let old = super::lock::sibling(output, &format!("old-{}", std::process::id()));
    journal.record(&[(Role::Staging, staging), (Role::Old, &old)])?;
    fs::rename(output, &old).map_err(io_error(output))?;
    if let Err(error) = fs::rename(staging, output) {
        let _ = fs::rename(&old, output);
        return Err(io_error(output)(error));
    }
    fs::rename(&old, staging).map_err(io_error(staging))
}

/// Exchanges the two folders in one step; `Ok(false)` where the system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool, OutputError> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
        Err(errno) => Err(io_error(b)(std::io::Error::from(errno))),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> Result<bool, OutputError> {
    Ok(false)
}
