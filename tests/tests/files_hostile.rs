//! A rogue viewer (the right code, then any bytes) offers hostile file
//! lists and streams to the real agent: each is refused with a named
//! reason, said to the viewer and to the person, and nothing is written
//! outside the receive folder, whatever links that folder holds.

use std::path::Path;
use tessera_proto::files::{
    Entry, EntryKind, FileMsg, FileStop, ManifestPage, StreamEnd, StreamHead, MAX_PAGE_ENTRIES,
};
use tessera_proto::peer::{AgentMsg, ViewerMsg};
use tessera_proto::Grants;
use tessera_tests::rogue::{self, RogueChannel};
use tessera_tests::{scratch, Agent, RelayProcess};

fn file(path: &str, size: u64) -> Entry {
    Entry {
        path: path.into(),
        kind: EntryKind::File {
            size,
            executable: false,
        },
    }
}

fn offer(id: u32, entries: Vec<Entry>, last: bool) -> ViewerMsg {
    ViewerMsg::Files(FileMsg::Offer(Box::new(ManifestPage { id, entries, last })))
}

/// The agent's next files message (past anything else it says).
async fn next_files(rogue: &mut RogueChannel) -> FileMsg {
    loop {
        match rogue.next().await {
            Some(AgentMsg::Files(msg)) => return msg,
            Some(_) => continue,
            None => panic!("the agent said nothing about files"),
        }
    }
}

/// The refusal of transfer `id`, with its words.
async fn refused(rogue: &mut RogueChannel, id: u32) -> String {
    match next_files(rogue).await {
        FileMsg::Cancel {
            id: got,
            why: FileStop::Refused,
            detail: Some(detail),
        } if got == id => detail,
        other => panic!("expected transfer {id} refused, got {other:?}"),
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn hostile_lists_are_refused_named_and_nothing_escapes_the_folder() {
    let dir = scratch("files-hostile");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let receive = dir.join("receive");
    let outside = dir.join("outside");
    std::fs::create_dir_all(&receive).expect("mkdir");
    std::fs::create_dir_all(&outside).expect("mkdir");
    // Links already in the receive folder, to a folder and a file outside.
    std::os::unix::fs::symlink(&outside, receive.join("evil")).expect("link");
    let victim = outside.join("victim.txt");
    std::fs::write(&victim, "untouched\n").expect("write");
    std::os::unix::fs::symlink(&victim, receive.join("report.txt")).expect("link");
    let mut args = relay.client_args();
    args.extend(["--receive-dir".into(), receive.display().to_string()]);
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut rogue = rt.block_on(rogue::viewer(&relay.addr, &relay.fingerprint, &code));
    rt.block_on(rogue.introduce(Grants::parse_list("files").expect("grants")));
    agent.answer("y");
    agent.events.event("session_started");

    let cases: Vec<(Vec<Entry>, &str)> = vec![
        (vec![file("../../.ssh/authorized_keys", 10)], "goes up"),
        (vec![file("/etc/cron.d/x", 10)], "absolute"),
        (vec![file("C:/Windows/x.dll", 10)], "colon"),
        (vec![file("a\u{7}b.txt", 10)], "control characters"),
        (vec![file("facture\u{202e}fdp.exe", 10)], "direction"),
        (vec![file("CON.txt", 10)], "device name"),
        (vec![file("notes.", 10)], "ends in a dot"),
        (
            vec![file("a.txt", 1), file("A.TXT", 1)],
            "differ only by case",
        ),
        (vec![file("evil/x.txt", 10)], "symbolic link"),
    ];
    let mut id = 0;
    for (list, says) in cases {
        rt.block_on(async {
            rogue.send(&offer(id, list, true)).await;
            let detail = refused(&mut rogue, id).await;
            assert!(detail.contains(says), "{says}: {detail}");
        });
        let failed = agent.events.event("file_failed");
        assert_eq!(failed["why"], "refused");
        assert!(
            failed["detail"].as_str().unwrap_or("").contains(says),
            "{failed}"
        );
        id += 2;
    }

    // A million entries, page by page: refused once past the limit;
    // the pages after it are late, and ignored.
    rt.block_on(async {
        let pages = 1_000_000 / MAX_PAGE_ENTRIES;
        for page in 0..pages {
            // A folder a page keeps every name unique.
            let list = (0..MAX_PAGE_ENTRIES)
                .map(|i| file(&format!("p{page}/f{i}"), 0))
                .collect();
            rogue.send(&offer(id, list, page + 1 == pages)).await;
        }
        let detail = refused(&mut rogue, id).await;
        assert!(detail.contains("more than 100000 entries"), "{detail}");
    });
    id += 2;

    // A file whose name is a link already there: kept beside it, the
    // link's target untouched; its bytes checked against the offer.
    rt.block_on(async {
        let bytes = b"the technician's report\n";
        rogue
            .send(&offer(
                id,
                vec![file("report.txt", bytes.len() as u64)],
                true,
            ))
            .await;
        match next_files(&mut rogue).await {
            FileMsg::Accept { id: got, resume } => assert!(got == id && resume.is_empty()),
            other => panic!("expected an accept, got {other:?}"),
        }
        let mut stream =
            tessera_net::streams::open(&rogue.conn, tessera_net::streams::StreamKind::File)
                .await
                .expect("stream");
        let head = StreamHead {
            id,
            entry: 0,
            from_chunk: 0,
        };
        tessera_net::framed::write(&mut stream, &head, 256)
            .await
            .expect("head");
        stream.write_all(bytes).await.expect("bytes");
        let sha256 = ring::digest::digest(&ring::digest::SHA256, bytes);
        let end = StreamEnd {
            sha256: sha256.as_ref().try_into().expect("32 bytes"),
        };
        tessera_net::framed::write(&mut stream, &end, 256)
            .await
            .expect("end");
        stream.finish().expect("finish");
        match next_files(&mut rogue).await {
            FileMsg::Done {
                id: got, entry: 0, ..
            } => assert_eq!(got, id),
            other => panic!("expected the file kept, got {other:?}"),
        }
    });
    // A stream finished before the whole file came: the transfer fails
    // as corrupt, and nothing of it is left.
    id += 2;
    rt.block_on(async {
        rogue
            .send(&offer(id, vec![file("short.txt", 24)], true))
            .await;
        assert!(matches!(
            next_files(&mut rogue).await,
            FileMsg::Accept { .. }
        ));
        let mut stream =
            tessera_net::streams::open(&rogue.conn, tessera_net::streams::StreamKind::File)
                .await
                .expect("stream");
        let head = StreamHead {
            id,
            entry: 0,
            from_chunk: 0,
        };
        tessera_net::framed::write(&mut stream, &head, 256)
            .await
            .expect("head");
        stream.write_all(b"only this").await.expect("bytes");
        stream.finish().expect("finish");
        match next_files(&mut rogue).await {
            FileMsg::Cancel {
                id: got,
                why: FileStop::Corrupt,
                ..
            } => assert_eq!(got, id),
            other => panic!("expected the transfer failed as corrupt, got {other:?}"),
        }
    });
    assert_eq!(agent.events.event("file_done")["name"], "report (1).txt");
    let failed = agent
        .events
        .event_where("file_failed", |e| e["why"] == "corrupt");
    assert!(
        failed["detail"]
            .as_str()
            .unwrap_or("")
            .contains("ended before"),
        "{failed}"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "untouched\n"
    );
    assert_eq!(entries(&outside), ["victim.txt"], "nothing written outside");
    assert_eq!(entries(&receive), ["evil", "report (1).txt", "report.txt"]);
}
