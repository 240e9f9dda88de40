//! The workspace's integration tests as one test binary: each file of `tests/` is a module here
//! (one link and one instantiation of the generic model code instead of one per file).
//!
//! Run one file's tests by its module name: `cargo test --test suite parity_sovits::`, or one
//! test: `cargo test --test suite pipeline::e2e_parity`.

mod audio;
mod gpt;
mod hf_models;
mod hostile;
mod parity_features;
mod parity_gpt;
mod parity_sovits;
mod parity_stream;
mod parity_v2pro;
mod pipeline;
mod pipeline_stream;
mod pipeline_v2pro;
mod server;
mod soak;
mod text_frontend;
mod text_ja;
mod text_ko;
mod text_split;
mod text_yue;
mod weights;

/// With `autotests = false` a new file in `tests/` runs only once it is declared above: fail
/// instead of skipping it silently.
#[test]
fn every_test_file_is_a_module_of_the_suite() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let suite = include_str!("suite.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/") {
        let name = entry.expect("entry").file_name().into_string().expect("utf-8 name");
        if let Some(stem) = name.strip_suffix(".rs")
            && stem != "suite"
            && !suite.contains(&format!("\nmod {stem};\n"))
        {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "declare these in tests/suite.rs: {missing:?}");
}
