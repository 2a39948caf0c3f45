//! `riptide-remux INPUT OUTPUT.mp4`: writes the init segment followed by every media segment.
fn main() {
    eprintln!("riptide-remux: not built yet");
    std::process::exit(2);
}
