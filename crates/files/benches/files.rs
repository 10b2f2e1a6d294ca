//! What files cost each end's CPU, without the network: hashing (the
//! whole-file SHA-256 and the chunk chain, both ends do it for every
//! byte), and one 256-MiB file read by the sender (`Source::read`) and
//! written by the receiver (`Incoming`) into a receive folder on the
//! same disk, in 64-KiB pieces as streams carry them. Throughput is
//! reported per byte, so CPU per GiB is 1 GiB over it.
//! Run: `cargo bench -p tessera-files --bench files`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use tessera_files::chunks::FileHasher;
use tessera_files::incoming::Incoming;
use tessera_files::receive::ReceiveFolder;
use tessera_files::source::Source;
use tessera_proto::files::{StreamEnd, StreamHead};

const FILE_BYTES: usize = 256 * 1024 * 1024;
const PIECE: usize = 64 * 1024;

fn hashing(c: &mut Criterion) {
    let data: Vec<u8> = (0..16 * 1024 * 1024)
        .map(|i| (i * 13 % 251) as u8)
        .collect();
    let mut group = c.benchmark_group("files");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("hash_16_mib", |b| {
        b.iter(|| {
            let mut hasher = FileHasher::new();
            for piece in data.chunks(PIECE) {
                hasher.update(piece);
            }
            black_box(hasher.sha256())
        })
    });
    group.finish();
}

fn send_and_receive(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("tessera-files-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    let file = dir.join("setup.bin");
    let data: Vec<u8> = (0..FILE_BYTES).map(|i| (i * 7 % 253) as u8).collect();
    std::fs::write(&file, &data).expect("written");
    drop(data);
    let (source, _) = Source::scan(&file).expect("scanned");
    let mut group = c.benchmark_group("files");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(FILE_BYTES as u64));
    group.bench_function("send_receive_256_mib", |b| {
        b.iter(|| {
            let receive = dir.join("receive");
            let _ = std::fs::remove_dir_all(&receive);
            let folder = ReceiveFolder::open(&receive).expect("opens");
            let mut incoming = Incoming::new(2);
            for page in source.pages(2) {
                incoming.page(&folder, &page).expect("taken");
            }
            let mut reader = source.read(0, None).expect("readable");
            let head = StreamHead {
                id: 2,
                entry: 0,
                from_chunk: 0,
            };
            incoming.head(&folder, &head).expect("starts");
            let mut buffer = vec![0; PIECE];
            loop {
                let bytes = reader.next(&mut buffer).expect("read");
                if bytes.is_empty() {
                    break;
                }
                incoming.data(0, bytes).expect("written");
            }
            let end = StreamEnd {
                sha256: reader.sha256().expect("whole"),
            };
            black_box(incoming.end(0, &end).expect("kept"))
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, hashing, send_and_receive);
criterion_main!(benches);
