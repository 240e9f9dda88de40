//! Where the loaders read model files from: the file system, or a set of files held in memory
//! (an Android APK's assets, a game's pack file, a download kept in RAM).
//!
//! [`MemoryFiles`] is a folder laid out like upstream's `pretrained_models/` whose files are
//! byte buffers; [`with_memory_files`] makes the loaders of this crate see it under the path
//! [`MemoryFiles::ROOT`] while a closure runs (on that thread). Every loader reads through the
//! functions here, so folder detection, version detection and error messages work the same as
//! on disk (they name `<memory>/...`).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::{Error, Result};

/// Model files in memory, by their path inside the model folder (`s1v3.ckpt`,
/// `chinese-hubert-base/config.json`, `v2Pro/s2Gv2ProPlus.pth`, ...).
#[derive(Debug, Clone, Default)]
pub struct MemoryFiles {
    files: BTreeMap<PathBuf, Arc<[u8]>>,
}

impl MemoryFiles {
    /// The folder the files appear under while [`with_memory_files`] runs.
    pub const ROOT: &'static str = "<memory>";

    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file. `name` is relative, `/`-separated, without `..` (`chinese-hubert-base/config.json`).
    pub fn insert(&mut self, name: &str, data: impl Into<Arc<[u8]>>) -> Result<()> {
        let rel = Path::new(name);
        let ok = !name.is_empty()
            && rel.components().all(|c| matches!(c, Component::Normal(_)))
            && !name.contains('\\')
            && !name.ends_with('/');
        if !ok {
            return Err(Error::InvalidArgument(format!(
                "memory model file name {name:?}: give a relative path inside the model folder, like \
                 \"s1v3.ckpt\" or \"chinese-hubert-base/config.json\" (no leading /, no .., no \\)"
            )));
        }
        self.files.insert(rel.to_path_buf(), data.into());
        Ok(())
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file at `rel` (relative to the folder).
    fn get(&self, rel: &Path) -> Option<&Arc<[u8]>> {
        self.files.get(rel)
    }

    /// Whether `rel` is a folder: some file lies below it (the root always is).
    fn is_dir(&self, rel: &Path) -> bool {
        rel.as_os_str().is_empty() || self.files.keys().any(|k| k.starts_with(rel) && k != rel)
    }

    /// The direct children of the folder `rel`, as relative paths.
    fn children(&self, rel: &Path) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Vec::new();
        for k in self.files.keys() {
            if let Ok(rest) = k.strip_prefix(rel)
                && let Some(first) = rest.components().next()
            {
                // Keys are sorted, so the files under one child folder come one after another.
                let child = rel.join(first);
                if out.last() != Some(&child) {
                    out.push(child);
                }
            }
        }
        out
    }
}

thread_local! {
    static MEMORY: RefCell<Option<Arc<MemoryFiles>>> = const { RefCell::new(None) };
}

/// Runs `f` with `files` visible to this crate's loaders under [`MemoryFiles::ROOT`] (on this
/// thread; the previous setting is restored afterwards, also on panic).
pub fn with_memory_files<R>(files: Arc<MemoryFiles>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<MemoryFiles>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            MEMORY.with(|m| *m.borrow_mut() = prev);
        }
    }
    let prev = MEMORY.with(|m| m.borrow_mut().replace(files));
    let _restore = Restore(prev);
    f()
}

/// `path` inside the memory folder, when one is active and `path` is under its root.
fn in_memory(path: &Path) -> Option<(Arc<MemoryFiles>, PathBuf)> {
    let files = MEMORY.with(|m| m.borrow().clone())?;
    let rel = path.strip_prefix(MemoryFiles::ROOT).ok()?;
    // Normalise `./` parts so `<memory>/./x` finds `x`.
    let rel: PathBuf = rel.components().filter(|c| !matches!(c, Component::CurDir)).collect();
    Some((files, rel))
}

fn not_found(path: &Path) -> Error {
    Error::io(path, std::io::Error::new(std::io::ErrorKind::NotFound, "no such file among the memory model files"))
}

/// The whole file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    match in_memory(path) {
        Some((files, rel)) => files.get(&rel).map(|b| b.to_vec()).ok_or_else(|| not_found(path)),
        None => std::fs::read(path).map_err(|e| Error::io(path, e)),
    }
}

/// The whole file as UTF-8 text.
pub(crate) fn read_to_string(path: &Path) -> Result<String> {
    let bytes = read(path)?;
    String::from_utf8(bytes).map_err(|_| Error::format(path, "text", "not UTF-8"))
}

/// Up to `n` first bytes.
pub(crate) fn read_head(path: &Path, n: usize) -> Result<Vec<u8>> {
    match in_memory(path) {
        Some((files, rel)) => files.get(&rel).map(|b| b[..n.min(b.len())].to_vec()).ok_or_else(|| not_found(path)),
        None => {
            use std::io::Read;
            let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            let mut head = Vec::with_capacity(n);
            f.take(n as u64).read_to_end(&mut head).map_err(|e| Error::io(path, e))?;
            Ok(head)
        }
    }
}

/// Whether `path` is a file.
pub(crate) fn is_file(path: &Path) -> bool {
    match in_memory(path) {
        Some((files, rel)) => files.get(&rel).is_some(),
        None => path.is_file(),
    }
}

/// Whether `path` is a folder.
pub(crate) fn is_dir(path: &Path) -> bool {
    match in_memory(path) {
        Some((files, rel)) => files.is_dir(&rel),
        None => path.is_dir(),
    }
}

/// Whether `path` exists.
pub(crate) fn exists(path: &Path) -> bool {
    is_file(path) || is_dir(path)
}

/// The entries of the folder `path` (full paths), unsorted like `std::fs::read_dir`.
pub(crate) fn read_dir(path: &Path) -> Result<Vec<PathBuf>> {
    match in_memory(path) {
        Some((files, rel)) => {
            if !files.is_dir(&rel) {
                return Err(not_found(path));
            }
            Ok(files.children(&rel).into_iter().map(|c| Path::new(MemoryFiles::ROOT).join(c)).collect())
        }
        None => {
            let entries = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
            Ok(entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memory_folder_looks_like_a_folder() {
        let mut m = MemoryFiles::new();
        m.insert("s1v3.ckpt", vec![1u8, 2, 3]).unwrap();
        m.insert("chinese-hubert-base/config.json", b"{}".to_vec()).unwrap();
        m.insert("chinese-hubert-base/pytorch_model.bin", vec![0u8; 4]).unwrap();
        for bad in ["", "/abs", "../up", "a/../b", "dir/", "back\\slash"] {
            assert!(m.insert(bad, vec![0u8]).is_err(), "{bad:?}");
        }
        let root = Path::new(MemoryFiles::ROOT);
        with_memory_files(Arc::new(m), || {
            assert!(is_dir(root) && is_dir(&root.join("chinese-hubert-base")));
            assert!(is_file(&root.join("s1v3.ckpt")) && !is_dir(&root.join("s1v3.ckpt")));
            assert!(!exists(&root.join("nope")) && !is_dir(&root.join("chinese")));
            assert_eq!(read(&root.join("s1v3.ckpt")).unwrap(), [1, 2, 3]);
            assert_eq!(read_head(&root.join("s1v3.ckpt"), 2).unwrap(), [1, 2]);
            assert_eq!(read_to_string(&root.join("./chinese-hubert-base/config.json")).unwrap(), "{}");
            let mut kids = read_dir(root).unwrap();
            kids.sort();
            assert_eq!(kids, [root.join("chinese-hubert-base"), root.join("s1v3.ckpt")]);
            assert!(read(&root.join("missing.pth")).unwrap_err().to_string().contains("<memory>"));
        });
        // Outside the closure the memory folder is gone.
        assert!(!is_dir(root));
    }
}
