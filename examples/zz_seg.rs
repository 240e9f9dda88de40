use std::io::BufRead;
fn main() {
    for l in std::io::stdin().lock().lines() {
        let l = l.unwrap();
        let v = sovits_core::text::zh::posseg_lcut(&l);
        println!("{}", v.iter().map(|(w, t)| format!("{w}/{t}")).collect::<Vec<_>>().join(" "));
    }
}
