//! Files only this user may read (the admin token, generated TLS keys), written without ever
//! following a symlink or reusing a file somebody else planted.
//!
//! Without a data directory, generated TLS files go into a fresh directory under the temporary
//! directory: created by `mkdir` with mode 0700 under an unpredictable name (so it cannot exist
//! beforehand, and a symlink in its place makes creation fail), and removed again when the
//! process stops.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a private file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PrivateFileError {
    /// IO failed.
    #[error("{path}: {source}")]
    Io {
        /// Which file.
        path: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// The file is not safe to use.
    #[error("{path}: {reason}")]
    Unsafe {
        /// Which file.
        path: String,
        /// Why.
        reason: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PrivateFileError + '_ {
    move |source| PrivateFileError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Create `path` with mode 0600 and write `bytes`; fails when anything (a file or a symlink)
/// is already there.
pub fn create_private(path: &Path, bytes: &[u8]) -> Result<(), PrivateFileError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(io(path))
}

/// Replace `path` with a new private file holding `bytes` (a symlink there is removed, never
/// followed).
pub fn replace_private(path: &Path, bytes: &[u8]) -> Result<(), PrivateFileError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => std::fs::remove_file(path).map_err(io(path))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(path)(e)),
    }
    create_private(path, bytes)
}

/// Read an existing private file: a regular file (not a symlink) that neither group nor others
/// may access. `Ok(None)` when there is none.
pub fn read_private(path: &Path) -> Result<Option<Vec<u8>>, PrivateFileError> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    let unsafe_file = |reason: String| PrivateFileError::Unsafe {
        path: path.display().to_string(),
        reason,
    };
    if metadata.file_type().is_symlink() {
        return Err(unsafe_file(
            "is a symlink; refusing to follow it (replace it with the file itself)".to_owned(),
        ));
    }
    if !metadata.is_file() {
        return Err(unsafe_file("is not a regular file".to_owned()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(unsafe_file(format!(
                "has mode {mode:04o}, readable by other users; run `chmod 600 {}`",
                path.display()
            )));
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(path).map_err(io(path))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(io(path))?;
    Ok(Some(bytes))
}

/// A directory only this user can enter, removed (with its files) when dropped.
#[derive(Debug)]
pub struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    /// Create `kuma-local-<random>` under `parent` with mode 0700. `mkdir` fails on anything
    /// already there (a symlink included), so the directory is always new and ours.
    pub fn create_in(parent: &Path) -> Result<Self, PrivateFileError> {
        let mut last = None;
        for _ in 0..8 {
            let path = parent.join(format!("kuma-local-{:016x}", rand::random::<u64>()));
            // Only unix sets a mode on it.
            #[cfg_attr(not(unix), allow(unused_mut))]
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            match builder.create(&path) {
                Ok(()) => return Ok(Self { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(io(&path)(e)),
            }
        }
        Err(io(parent)(last.unwrap_or_else(|| {
            std::io::Error::other("no free directory name")
        })))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn planted_symlinks_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, b"precious").unwrap();
        let link = dir.path().join("tls.key");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(create_private(&link, b"key").is_err());
        assert!(read_private(&link).is_err());
        replace_private(&link, b"key").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        assert_eq!(std::fs::read(&link).unwrap(), b"key");
    }

    #[cfg(unix)]
    #[test]
    fn group_readable_files_are_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("admin-token");
        std::fs::write(&path, b"t").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = read_private(&path).unwrap_err().to_string();
        assert!(
            error.contains("mode 0644") && error.contains("chmod 600"),
            "{error}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_private(&path).unwrap().unwrap(), b"t");
    }

    #[cfg(unix)]
    #[test]
    fn private_dirs_are_0700_and_removed_on_drop() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let dir = PrivateDir::create_in(parent.path()).unwrap();
        let path = dir.path().to_owned();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        create_private(&path.join("tls.key"), b"k").unwrap();
        drop(dir);
        assert!(!path.exists());
    }
}
