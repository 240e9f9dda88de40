//! Builds the C test program (`tests/c/api_test.c`) and the C++ header check against this
//! crate's shared library with the system compilers (`$CC`/`cc`, `$CXX`/`c++`) and runs them
//! on the tiny test model. `SOVITS_VALGRIND=1` runs the C program under valgrind as well
//! (`--error-exitcode=1 --leak-check=full`; slow: use `--release`, see docs/ffi.md).

use std::path::{Path, PathBuf};
use std::process::Command;

fn lib_dir() -> PathBuf {
    // target/<profile>/deps/c_api-<hash> -> target/<profile>
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    let name = format!("{}sovits{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
    // `cargo test` rebuilds the cdylib in deps/ (it uplifts to the profile directory only on `cargo build`).
    for d in [profile_dir.join("deps"), profile_dir.clone()] {
        if d.join(&name).exists() {
            return d;
        }
    }
    panic!("{name} not found next to {}; build the cdylib first (cargo build -p sovits-ffi)", profile_dir.display());
}

/// Builds `src` with the C++ compiler (`std`, warnings as errors) against the library.
fn build_cpp(src: &Path, std: &str, includes: &[PathBuf], exe: &Path) {
    let lib = lib_dir();
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let mut c = Command::new(&cxx);
    c.arg(format!("-std={std}")).args(["-Wall", "-Wextra", "-Werror", "-pedantic", "-pthread"]).arg(src);
    for i in includes {
        c.arg(format!("-I{}", i.display()));
    }
    c.arg(format!("-L{}", lib.display())).arg("-lsovits").arg(format!("-Wl,-rpath,{}", lib.display()));
    run(c.arg("-o").arg(exe));
}

/// Runs a program built against the library on the tiny model folder and its reference clip
/// (plus `extra` arguments); it must print "all checks passed".
fn run_on_tiny(exe: &Path, extra: &[&Path]) {
    let lib = lib_dir();
    let tiny = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("tests/fixtures/parity/tiny");
    let out = run(Command::new(exe)
        .env("LD_LIBRARY_PATH", &lib)
        .env("DYLD_LIBRARY_PATH", &lib)
        .arg(tiny.join("official"))
        .arg(tiny.join("io/ref_32k.wav"))
        .args(extra));
    println!("{}: {out}", exe.display());
    assert!(out.contains("all checks passed"), "{out}");
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (a C compiler is needed for this test)"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// The C soak program (`tests/c/soak_test.c`): 8 threads, one session each, 160 syntheses,
/// every completed one compared with its single-threaded run; RSS flat. Minutes on the debug
/// build: `cargo test --release -p sovits-ffi --test c_api -- --ignored --nocapture`.
#[test]
#[ignore = "soak: minutes; run with --ignored (see docs/reliability.md)"]
fn c_soak() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.parent().unwrap().to_path_buf();
    let lib = lib_dir();
    let tmp = std::env::temp_dir().join(format!("sovits-c-soak-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let exe = tmp.join("soak_test");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    run(Command::new(&cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pthread"])
        .arg(crate_dir.join("tests/c/soak_test.c"))
        .arg(format!("-I{}", root.join("include").display()))
        .arg(format!("-L{}", lib.display()))
        .arg("-lsovits")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-o")
        .arg(&exe));
    let tiny = root.join("tests/fixtures/parity/tiny");
    let out = run(Command::new(&exe)
        .env("LD_LIBRARY_PATH", &lib)
        .arg(tiny.join("official/gpt_v2.ckpt"))
        .arg(tiny.join("official/sovits_v2.pth"))
        .arg(tiny.join("official/chinese-hubert-base"))
        .arg(tiny.join("official/chinese-roberta-wwm-ext-large"))
        .arg(tiny.join("io/ref_32k.wav"))
        .args(["8", "160"]));
    println!("{out}");
    assert!(out.contains("0 errors, 0 mismatches"), "{out}");
    std::fs::remove_dir_all(&tmp).ok();
}

/// `include/sovits.hpp` (header-only C++17): `tests/cpp/wrapper_test.cpp` built with the system
/// C++ compiler as C++17 and as C++20, run on the tiny model.
#[test]
fn cpp_wrapper() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.parent().unwrap().to_path_buf();
    let tmp = std::env::temp_dir().join(format!("sovits-cpp-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for std in ["c++17", "c++20"] {
        let exe = tmp.join(format!("wrapper_test_{std}"));
        build_cpp(&crate_dir.join("tests/cpp/wrapper_test.cpp"), std, &[root.join("include")], &exe);
        run_on_tiny(&exe, &[&tmp]);
    }
    std::fs::remove_dir_all(&tmp).ok();
}

/// The Unreal sample's engine-independent queue (`examples/unreal/.../SovitsPcmQueue.h`) fed by
/// a real streamed synthesis through `sovits.hpp`.
#[test]
fn unreal_sample_queue() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.parent().unwrap().to_path_buf();
    let tmp = std::env::temp_dir().join(format!("sovits-unreal-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let exe = tmp.join("unreal_queue_test");
    let includes = [root.join("include"), root.join("examples/unreal/SovitsTTS/Source/SovitsTTS/Public")];
    build_cpp(&crate_dir.join("tests/cpp/unreal_queue_test.cpp"), "c++17", &includes, &exe);
    run_on_tiny(&exe, &[]);
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn c_program_and_cpp_header() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.parent().unwrap().to_path_buf();
    let include = root.join("include");
    let lib = lib_dir();
    let tmp = std::env::temp_dir().join(format!("sovits-c-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let link = |cmd: &mut Command| {
        cmd.arg(format!("-I{}", include.display()))
            .arg(format!("-L{}", lib.display()))
            .arg("-lsovits")
            .arg(format!("-Wl,-rpath,{}", lib.display()));
    };
    let c_exe = tmp.join("api_test");
    let mut c = Command::new(&cc);
    c.args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]).arg(crate_dir.join("tests/c/api_test.c"));
    link(&mut c);
    run(c.arg("-o").arg(&c_exe));
    let cpp_exe = tmp.join("header_check");
    let mut cpp = Command::new(&cxx);
    cpp.args(["-std=c++11", "-Wall", "-Wextra", "-Werror"]).arg(crate_dir.join("tests/c/header_check.cpp"));
    link(&mut cpp);
    run(cpp.arg("-o").arg(&cpp_exe));
    // cargo's LD_LIBRARY_PATH may list an older copy first; point the loader at this one.
    let with_lib = |exe: &Path| {
        let mut c = Command::new(exe);
        c.env("LD_LIBRARY_PATH", &lib).env("DYLD_LIBRARY_PATH", &lib);
        c
    };
    println!("{}", run(&mut with_lib(&cpp_exe)));

    let tiny = root.join("tests/fixtures/parity/tiny");
    let args = [
        tiny.join("official/gpt_v2.ckpt"),
        tiny.join("official/sovits_v2.pth"),
        tiny.join("official/chinese-hubert-base"),
        tiny.join("official/chinese-roberta-wwm-ext-large"),
        tiny.join("io/ref_32k.wav"),
        tmp.clone(),
        root.join("tests/fixtures/hostile"),
    ];
    let out = run(with_lib(&c_exe).args(&args));
    println!("{out}");
    assert!(out.contains("all checks passed"));
    // The example program of the docs builds with its documented line and runs on the shipped
    // model folder.
    let demo = tmp.join("sovits_demo");
    let mut c = Command::new(&cc);
    c.args(["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror"]).arg(root.join("examples/c/main.c"));
    link(&mut c);
    run(c.arg("-o").arg(&demo));
    let out = run(with_lib(&demo)
        .arg(tiny.join("official"))
        .arg(tiny.join("io/ref_32k.wav"))
        .args(["Hello there, how are you today", "en", "Hello from C.", "EN"])
        .arg(tmp.join("out.f32")));
    assert!(out.contains("wrote") && out.contains("sentence 1"), "{out}");
    assert!(std::fs::metadata(tmp.join("out.f32")).unwrap().len() > 0);
    // The same program, unchanged, on a v2ProPlus folder laid out like upstream's
    // pretrained_models (s1v3.ckpt, v2Pro/s2Gv2ProPlus.pth, sv/...): the version is detected.
    let pro = tmp.join("v2proplus");
    run(Command::new("sh").arg(root.join("scripts/tiny_v2proplus_models.sh")).arg(&pro));
    let pro_ref = root.join("tests/fixtures/parity/tiny_v2pro/io/ref_32k.wav");
    let out = run(with_lib(&demo)
        .arg(&pro)
        .arg(&pro_ref)
        .args(["Hello there, how are you today", "en", "Hello from the pro model.", "en"])
        .arg(tmp.join("pro.f32")));
    assert!(out.contains("wrote") && out.contains("sentence 1"), "{out}");
    assert!(std::fs::metadata(tmp.join("pro.f32")).unwrap().len() > 0);
    // Without its speaker model the load fails and says what is missing.
    std::fs::remove_dir_all(pro.join("sv")).unwrap();
    let failed = with_lib(&demo)
        .arg(&pro)
        .arg(&pro_ref)
        .args(["Hello there, how are you today", "en", "Hello.", "en"])
        .arg(tmp.join("none.f32"))
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&failed.stdout), String::from_utf8_lossy(&failed.stderr));
    assert!(!failed.status.success(), "{text}");
    assert!(text.contains("loading the models") && text.contains("pretrained_eres2netv2w24s4ep4.ckpt"), "{text}");
    if std::env::var_os("SOVITS_VALGRIND").is_some() {
        let out = run(with_lib(Path::new("valgrind"))
            .args(["--error-exitcode=1", "--leak-check=full", "--errors-for-leak-kinds=definite", "-q"])
            .arg(&c_exe)
            .args(&args));
        println!("valgrind:\n{out}");
    }
    std::fs::remove_dir_all(&tmp).ok();
}
