//! Opening the files of the state without surprises: the lock is never a symbolic link, no
//! open or read waits on a pipe, and only regular files are read or written. A symbolic link
//! at the state path itself is followed once, on purpose (see `resolve`), to the file it names.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;

/// What kind of file a path turned out to be, when it is not a regular file.
pub(crate) fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading without blocking on a pipe (and without following a final
/// symbolic link when `nofollow`), and checks that it is a regular file.
///
/// # Errors
/// `NotFound` as usual; `InvalidInput` naming the kind of file when it is not regular (a
/// symbolic link when `nofollow`, a pipe, a device, a directory).
pub(crate) fn open_regular(path: &Path, write: bool, create: bool, nofollow: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(write).create(create).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if nofollow {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    let file = options.open(path).map_err(|e| {
        // O_NOFOLLOW on a symbolic link fails with ELOOP.
        #[cfg(unix)]
        if nofollow && e.raw_os_error() == Some(libc::ELOOP) {
            return std::io::Error::new(std::io::ErrorKind::InvalidInput, "it is a symbolic link, not a regular file");
        }
        e
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {}, not a regular file", kind_of(&meta)),
        ));
    }
    Ok(file)
}

/// How long a read waits on a pipe that gives no data before giving up.
pub(crate) const PIPE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// Reads at most `limit` bytes; more is an error. A source opened without blocking (a pipe)
/// is waited on for at most [`PIPE_PATIENCE`] without data, never forever.
///
/// # Errors
/// The read failed, the pipe stayed silent too long, or the source gives more than `limit`
/// bytes (never half-read: the whole input is refused).
pub(crate) fn read_capped(mut source: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    read_capped_sized(&mut source, limit, 0)
}

/// [`read_capped`] with a size hint (a regular file's length), so the whole file is read in
/// one go into a buffer of the right size.
pub(crate) fn read_capped_sized(mut source: impl Read, limit: u64, hint: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(usize::try_from(hint.min(limit).saturating_add(1)).unwrap_or(0));
    let mut silent_since = std::time::Instant::now();
    loop {
        let room = limit.saturating_add(1).saturating_sub(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
        let before = bytes.len();
        match source.by_ref().take(room).read_to_end(&mut bytes) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if bytes.len() > before {
                    silent_since = std::time::Instant::now();
                } else if silent_since.elapsed() >= PIPE_PATIENCE {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("it gave no data for {} s (a pipe nobody writes to?)", PIPE_PATIENCE.as_secs()),
                    ));
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            Err(e) => return Err(e),
        }
    }
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("it is larger than {} MiB, the most accepted", limit / (1024 * 1024)),
        ));
    }
    Ok(bytes)
}

/// Opens an input the user named (a definition, a load trace, a price export) without
/// blocking: a regular file, a named pipe or a socket; a directory is refused, and a device
/// unless the user named standard input (`/dev/stdin`) explicitly.
///
/// # Errors
/// As opening the file, or `InvalidInput` naming what it is.
pub(crate) fn open_input(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    let t = meta.file_type();
    let device = {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            t.is_char_device() || t.is_block_device()
        }
        #[cfg(not(unix))]
        {
            false
        }
    };
    if t.is_dir() || (device && path != Path::new("/dev/stdin")) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {}, not a file", kind_of(&meta)),
        ));
    }
    Ok(file)
}

/// Text from a file that anyone could have written, made safe to show: at most `max`
/// characters, control characters escaped.
pub(crate) fn shown(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.trim().chars().enumerate() {
        if i == max {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
