//! What people and scripts type: codes and headless-viewer commands.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_proto::Code;
use tessera_session::command;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(code) = Code::parse(text) {
        assert_eq!(Code::parse(&code.display()), Ok(code));
    }
    if let Ok(cmd) = command::parse(text) {
        let _ = cmd.input_events();
    }
});
