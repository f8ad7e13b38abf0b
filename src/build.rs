//! The default theme is compiled into the binary (`include_dir!` in src/theme.rs); a stable
//! compiler cannot see which files that macro read, so tell Cargo to rebuild when the
//! theme folder changes (a file added, edited or deleted).
fn main() {
    println!("cargo:rerun-if-changed=themes/default");
}
