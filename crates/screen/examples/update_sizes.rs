//! Bytes on the wire per 1080p update for each workload, with and without
//! copy detection. Run: `cargo run --release -p tessera-screen --example update_sizes`.

use tessera_screen::{Capture, Encoder, Synthetic};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for (name, change) in [
        ("text screen (keyframe)", None),
        ("one keystroke", Some(0)),
        ("scroll by 3 lines", Some(3)),
        ("scroll by one page (40 lines)", Some(40)),
        ("full-screen noise", Some(u32::MAX)),
    ] {
        let mut sizes = Vec::new();
        for detect in [true, false] {
            let mut screen = Synthetic::new(1920, 1080)?;
            let mut enc = Encoder::new()?;
            enc.set_move_detection(detect);
            let first = enc.encode(screen.grab()?.0)?;
            let update = match change {
                None => first,
                Some(0) => {
                    screen.type_char();
                    enc.encode(screen.grab()?.0)?
                }
                Some(u32::MAX) => {
                    screen.noise();
                    enc.encode(screen.grab()?.0)?
                }
                Some(lines) => {
                    screen.scroll(lines);
                    enc.encode(screen.grab()?.0)?
                }
            };
            sizes.push(update.map_or(0, |u| u.to_bytes().len()));
        }
        println!(
            "{name:32} {:>9} B with copies {:>9} B tiles only",
            sizes[0], sizes[1]
        );
    }
    Ok(())
}
