//! The agent's authority over what the technician may do. A real viewer
//! pairs with the agent and asks for consent; then the input, read as a
//! script (`tessera_fuzz::script`), plays any viewer message, the
//! person's answers, revocations and own input, timers and disconnects.
//! After every action the agent takes, it is checked against a model of
//! what the person granted (`tessera_fuzz::authority`): no input injected
//! without `control` or with a prompt open, no screen without `view`, no
//! technician chat shown without `chat`, never more granted than the
//! person gave, nothing left pressed when control goes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tessera_fuzz::authority::run(data);
});
